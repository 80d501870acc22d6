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
        "interfaceEndpoints": False,
        "deletionProtection": False,
        "backupRetentionDays": 1,
        "auroraMinCapacity": "0.5",
        "auroraMaxCapacity": "4",
        "auroraInstances": 1,
        "auroraSecondaryInstances": 1,
        "logRetentionDays": 14,
        "instanceTypes": ["t4g.small", "t4g.medium", "c7g.medium"],
        "onDemandBaseCapacity": 0,
        "webTier": True,
        "webMinSize": 1,
        "webMaxSize": 4,
        "healthCheckInterval": 30,
        "catalogCache": False,
        "redisNodeType": "cache.t4g.micro",
        # Posters on SwiftShader: no GPU quota needed on a fresh account.
        "renderCompute": "cpu",
        "priceClass": "PriceClass_100",
        "replicationTimeControl": False,
        # A dev stack's zone (when it has a domain) is disposable: neither signed nor logged.
        "dnssec": False,
        "dnsQueryLogging": False,
        # The Vite dev server of the storefront.
        "authCallbackUrls": ["http://localhost:5173/api/account/callback"],
    },
    "prod": {
        "regions": ["us-east-1", "eu-west-1", "ap-southeast-2"],
        "availabilityZones": 3,
        # One NAT per cell (not per AZ): egress is Stripe, Cognito's JWKS and the AWS APIs
        # without a gateway endpoint; an AZ outage that takes the NAT fails the cell's health
        # check over to another region instead. natGateways=per-az keeps it in every AZ.
        "natGateways": "single",
        # At the default traffic the NAT's per-GB charge on these calls is a fraction of the
        # endpoints' hourly fee (`./shop3d cost prod` prints the break-even).
        "interfaceEndpoints": False,
        "deletionProtection": True,
        "backupRetentionDays": 35,
        # 1 ACU per instance at rest (it scales to 64 within seconds under load).
        "auroraMinCapacity": "1",
        "auroraMaxCapacity": "64",
        "auroraInstances": 2,
        # One per secondary: it forwards its cell's writes and is promoted on failover;
        # the writer's cluster keeps two for Multi-AZ.
        "auroraSecondaryInstances": 1,
        "logRetentionDays": 365,
        # The web tier renders pages for the default traffic on one vCPU per instance (a page
        # is one catalog read and a template); target tracking adds instances under load.
        "instanceTypes": ["c7g.medium", "c6g.medium", "m7g.medium", "m6g.medium"],
        # One on-demand instance per cell stays up through a spot reclaim, the other is spot.
        "onDemandBaseCapacity": 1,
        "webTier": True,
        "webMinSize": 2,
        "webMaxSize": 30,
        # Detection within 30 s (3 failures 10 s apart) for about USD 1 a month per check.
        "healthCheckInterval": 10,
        # The cache holds catalog items (about 1 KB each) for cart pricing: a burstable pair
        # with failover carries both traffic profiles; an r7g.large pair cost USD 1,060 a month
        # against the few dollars of DynamoDB reads it saves.
        # Off: at the default traffic the pair costs more than the DynamoDB reads it absorbs
        # (`./shop3d cost prod` prints the break-even); catalogCache=true turns it on.
        "catalogCache": False,
        "redisNodeType": "cache.t4g.small",
        "renderCompute": "gpu",
        "priceClass": "PriceClass_All",
        "replicationTimeControl": True,
        "dnssec": True,
        "dnsQueryLogging": True,
        "authCallbackUrls": [],
    },
}
