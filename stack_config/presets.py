"""Environment presets: what `shop3d:environment` picks before single keys override it.

dev is for cheap, disposable stacks (one NAT, small Aurora, nothing protected); prod is three
regions, NAT per AZ, everything protected and backed up for 35 days.
"""

from __future__ import annotations

from typing import Final, Literal

Environment = Literal["dev", "prod"]
ENVIRONMENTS: Final[tuple[Environment, ...]] = ("dev", "prod")

PRESETS: Final[dict[Environment, dict[str, object]]] = {
    "dev": {
        "regions": ["us-east-1", "eu-west-1"],
        "availabilityZones": 2,
        "natGateways": "single",
        "deletionProtection": False,
        "backupRetentionDays": 1,
        "auroraMinCapacity": "0.5",
        "auroraMaxCapacity": "4",
        "auroraInstances": 1,
        "logRetentionDays": 14,
        "instanceTypes": ["t4g.small", "t4g.medium", "c7g.medium"],
        "onDemandBaseCapacity": 0,
        "webMinSize": 1,
        "webMaxSize": 4,
        "lambdaReservedConcurrency": 20,
        "redisNodeType": "cache.t4g.micro",
        # Posters on SwiftShader: no GPU quota needed on a fresh account.
        "renderCompute": "cpu",
        "priceClass": "PriceClass_100",
        "replicationTimeControl": False,
        # The Vite dev server of the storefront.
        "authCallbackUrls": ["http://localhost:5173/auth/callback"],
    },
    "prod": {
        "regions": ["us-east-1", "eu-west-1", "ap-southeast-2"],
        "availabilityZones": 3,
        "natGateways": "per-az",
        "deletionProtection": True,
        "backupRetentionDays": 35,
        "auroraMinCapacity": "2",
        "auroraMaxCapacity": "64",
        "auroraInstances": 2,
        "logRetentionDays": 365,
        "instanceTypes": ["c7g.large", "c6g.large", "m7g.large", "m6g.large"],
        "onDemandBaseCapacity": 2,
        "webMinSize": 2,
        "webMaxSize": 30,
        "lambdaReservedConcurrency": 200,
        # The cache holds catalog items (about 1 KB each) for cart pricing: a burstable pair
        # with failover carries both traffic profiles; an r7g.large pair cost USD 1,060 a month
        # against the few dollars of DynamoDB reads it saves.
        "redisNodeType": "cache.t4g.small",
        "renderCompute": "gpu",
        "priceClass": "PriceClass_All",
        "replicationTimeControl": True,
        "authCallbackUrls": [],
    },
}
