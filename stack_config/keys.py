"""Every `shop3d:` stack config key: its type, description and default, declared once.

Pulumi.yaml's `config:` block is generated from this table (`./shop3d config-schema`) and a
test keeps the two in step. A default is either one value for every stack, or taken from the
environment preset (stack_config/presets.py), which single keys override.

Pulumi treats a declared key without a default as required, so a preset key declares the
sentinel "preset" (strings, booleans declared as strings), -1 (integers) or ["preset"]
(arrays): the engine fills it in and the program replaces it with the preset's value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The types Pulumi.yaml can declare for a project config key.
SchemaType = Literal["string", "integer", "boolean", "array"]

NAMESPACE = "shop3d"


@dataclass(frozen=True)
class KeySpec:
    key: str
    schema_type: SchemaType
    description: str
    # "" for optional strings: Pulumi makes a key without a default required.
    default: object = ""
    from_preset: bool = False


PRESET = True
PRESET_WORD = "preset"
PRESET_INTEGER = -1


def preset_sentinel(schema_type: SchemaType) -> object:
    """What Pulumi.yaml declares as the default of a preset key of this type."""
    if schema_type == "integer":
        return PRESET_INTEGER
    if schema_type == "array":
        return [PRESET_WORD]
    return PRESET_WORD


def is_preset_sentinel(value: object) -> bool:
    return value in (
        PRESET_WORD,
        [PRESET_WORD],
        (PRESET_WORD,),
        '["preset"]',
        PRESET_INTEGER,
        str(PRESET_INTEGER),
    )


KEYS: tuple[KeySpec, ...] = (
    KeySpec("environment", "string", "Environment preset: dev or prod.", "dev"),
    KeySpec(
        "regions",
        "array",
        "Ordered regions, the first is the primary (Aurora writer, Cognito). Each entry is a "
        "region name, optionally followed by space-separated overrides: "
        "'eu-west-1 vpcCidr=10.40.0.0/16 onDemandBaseCapacity=2 webMinSize=2 webMaxSize=12'.",
        from_preset=PRESET,
    ),
    KeySpec(
        "domain",
        "string",
        "Apex domain of the shop (example.com). Unset: CloudFront's own hostname, no zone, "
        "no certificate.",
    ),
    KeySpec(
        "hostedZoneId",
        "string",
        "Route 53 hosted zone id of the domain, required with shop3d:domain: create the zone "
        "first with `./shop3d bootstrap-zone <domain>` and delegate the domain to its name "
        "servers (certificates validate by DNS during the run).",
    ),
    KeySpec("availabilityZones", "integer", "AZs per cell VPC (2 or 3).", from_preset=PRESET),
    KeySpec(
        "natGateways",
        "string",
        "NAT gateways per VPC: single (one, cheaper) or per-az (one per AZ, no cross-AZ "
        "dependency).",
        from_preset=PRESET,
    ),
    KeySpec(
        "interfaceEndpoints",
        "string",
        "true, false or preset. Interface VPC endpoints (Secrets Manager, KMS, SQS, Logs) in "
        "every AZ of every cell, instead of reaching those APIs through the NAT gateway. Each "
        "costs an hourly fee per AZ: worth it above the traffic where NAT processing costs "
        "more (`./shop3d cost` prints the break-even GB).",
        from_preset=PRESET,
    ),
    KeySpec(
        "deletionProtection",
        "string",
        "true, false or preset. Deletion protection on tables, clusters, ALBs, user pool, "
        "and protect=true on every stateful resource.",
        from_preset=PRESET,
    ),
    KeySpec(
        "backupRetentionDays",
        "integer",
        "Aurora backup retention and AWS Backup retention, in days (1-35).",
        from_preset=PRESET,
    ),
    KeySpec(
        "auroraMinCapacity",
        "string",
        "Aurora Serverless v2 minimum ACUs (a number, 0.5-256, in steps of 0.5).",
        from_preset=PRESET,
    ),
    KeySpec(
        "auroraMaxCapacity",
        "string",
        "Aurora Serverless v2 maximum ACUs (a number, 1-256, in steps of 0.5).",
        from_preset=PRESET,
    ),
    KeySpec(
        "auroraInstances",
        "integer",
        "Aurora instances in the writer's regional cluster (2 or more spreads them over AZs: "
        "Multi-AZ).",
        from_preset=PRESET,
    ),
    KeySpec(
        "auroraSecondaryInstances",
        "integer",
        "Aurora instances per secondary regional cluster (1 or more: each forwards its cell's "
        "writes to the writer and is ready to be promoted).",
        from_preset=PRESET,
    ),
    KeySpec("auroraEngineVersion", "string", "Aurora PostgreSQL engine version.", "16.6"),
    KeySpec(
        "logRetentionDays",
        "integer",
        "CloudWatch Logs retention for Lambda, flow logs, WAF and Postgres logs.",
        from_preset=PRESET,
    ),
    KeySpec(
        "webTier",
        "string",
        "true, false or preset. The EC2 web tier (Auto Scaling group behind the ALB) renders the "
        "product pages, the grid, sitemap.xml and robots.txt (handlers/pages); CloudFront sends "
        "it those paths and the default behaviour. false: no pages are rendered and the "
        "storefront bucket serves the single-page app for every route.",
        from_preset=PRESET,
    ),
    KeySpec(
        "healthCheckInterval",
        "integer",
        "Seconds between a Route 53 health checker's requests to a cell: 10 (fast, detects a "
        "failed cell in 30 s, an extra option charge per check) or 30.",
        from_preset=PRESET,
    ),
    KeySpec(
        "writerRegion",
        "string",
        "The region that holds the Aurora writer now: orders.<domain> prefers its cell. Unset: "
        "the primary (first of shop3d:regions). `./shop3d failover` sets it.",
    ),
    KeySpec(
        "instanceTypes",
        "array",
        "Web tier instance types for the mixed instances policy, all of one CPU architecture "
        "(Graviton arm64, or x86_64): one AMI serves them all.",
        from_preset=PRESET,
    ),
    KeySpec(
        "onDemandBaseCapacity",
        "integer",
        "Web tier on-demand instances per region; capacity above it is spot.",
        from_preset=PRESET,
    ),
    KeySpec("webMinSize", "integer", "Web tier minimum instances per region.", from_preset=PRESET),
    KeySpec("webMaxSize", "integer", "Web tier maximum instances per region.", from_preset=PRESET),
    KeySpec(
        "lambdaArchitecture",
        "string",
        "Lambda architecture: arm64 (cheaper) or x86_64. The asset service always runs on "
        "x86_64 (its simplifier ships x86_64 wheels only).",
        "arm64",
    ),
    KeySpec(
        "lambdaReservedConcurrency",
        "integer",
        "Concurrent executions reserved for the cart API function in each region (0: none, "
        "the default). A reservation guarantees the cart that much of the region's quota "
        "when other functions burst, and also caps it there. Lambda keeps 100 of the "
        "region's quota unreserved (a new account's quota is 10, so it can reserve none): "
        "`./shop3d preflight <stack>` checks the quota first. No other function reserves: "
        "the asset Lambda is capped by assetMaxConcurrency, the rest run rarely.",
        0,
    ),
    KeySpec(
        "assetMaxConcurrency",
        "integer",
        "At most this many asset Lambda invocations per region at once (the SQS event "
        "source's maximum concurrency, 2-1000; not a reservation): a bulk upload cannot take "
        "the region's Lambda quota from the cart API.",
        5,
    ),
    KeySpec(
        "assetBatchThresholdMb",
        "integer",
        "Uploaded models larger than this (MB) are processed by AWS Batch on spot instead of "
        "the asset Lambda.",
        200,
    ),
    KeySpec(
        "renderCompute",
        "string",
        "Where posters are rendered (the render job queue on AWS Batch): gpu (g-family spot "
        "instances, ECS GPU AMI, Chromium on the GPU) or cpu (SwiftShader on compute spot).",
        from_preset=PRESET,
    ),
    KeySpec(
        "reservationMinutes",
        "integer",
        "Minutes an unpaid order holds its stock; then the order expires and the stock returns "
        "(1 to 1440).",
        30,
    ),
    KeySpec(
        "catalogCache",
        "string",
        "true, false or preset. An ElastiCache Redis catalog read cache per cell. It pays only "
        "when the DynamoDB reads it absorbs cost more than its nodes (`./shop3d cost` prints "
        "the break-even reads per month); off in both presets at the default traffic.",
        from_preset=PRESET,
    ),
    KeySpec("redisNodeType", "string", "ElastiCache Redis node type.", from_preset=PRESET),
    KeySpec(
        "priceClass",
        "string",
        "CloudFront price class: PriceClass_100, PriceClass_200 or PriceClass_All.",
        from_preset=PRESET,
    ),
    KeySpec(
        "wafRateLimit",
        "integer",
        "WAF rate-based rule: requests per IP per 5 minutes before blocking (100-2000000000).",
        2000,
    ),
    KeySpec(
        "shieldAdvanced",
        "boolean",
        "Subscribe the distribution to AWS Shield Advanced (USD 3,000/month, 1-year commitment).",
        False,
    ),
    KeySpec(
        "storefrontDist",
        "string",
        "Built storefront uploaded to the storefront bucket: a directory relative to the "
        "project (build it with `cd storefront && npm ci && npm run build`), or 'skip' to "
        "deploy the bucket without files.",
        "storefront/dist",
    ),
    KeySpec(
        "replicationTimeControl",
        "string",
        "true, false or preset. S3 Replication Time Control (15-minute SLA, extra per-GB "
        "charge) on asset replication.",
        from_preset=PRESET,
    ),
    KeySpec("alarmEmail", "string", "E-mail subscribed to each region's alarm topic."),
    KeySpec(
        "dnssec",
        "string",
        "true, false or preset. DNSSEC signing of the hosted zone (with shop3d:domain): a "
        "us-east-1 KMS signing key, a key-signing key and signing on the zone. The stack "
        "output dnssecDsRecord is the DS record to publish at the registrar; until it is "
        "there resolvers treat the zone as unsigned. Turning it off: remove the DS record "
        "first and wait for its TTL.",
        from_preset=PRESET,
    ),
    KeySpec(
        "dnsQueryLogging",
        "string",
        "true, false or preset. Route 53 query logging of the hosted zone (with "
        "shop3d:domain) to the us-east-1 log group /aws/route53/<domain>, kept "
        "logRetentionDays.",
        from_preset=PRESET,
    ),
    KeySpec(
        "guardDuty",
        "string",
        "GuardDuty detector of each region: manage (the stack creates it and its features) or "
        "existing (Organizations, Control Tower or another stack enabled it: a region has one "
        "detector per account, so creating a second fails; the stack looks it up and only "
        "routes its findings).",
        "manage",
    ),
    KeySpec(
        "backupRegionSettings",
        "string",
        "AWS Backup region settings (one per account and region): manage (the stack opts "
        "Aurora, RDS and DynamoDB in) or existing (the account's owner manages them; "
        "`./shop3d preflight` checks those three are opted in).",
        "manage",
    ),
    KeySpec(
        "ecrReplication",
        "string",
        "ECR replication configuration of the primary region's registry (one per account and "
        "region; it copies the container images, built once there, to the other regions): "
        "manage (the stack writes it, replacing any rules already there) or existing (another "
        "stack or the account's owner keeps it; it must copy repositories prefixed "
        "shop3d-<stack>- to every other region of this stack, which `./shop3d preflight` "
        "checks).",
        "manage",
    ),
    KeySpec(
        "threatProtection",
        "string",
        "Cognito threat protection (advanced security): ENFORCED (block or challenge risky "
        "sign-ins) or AUDIT (only log them; needs a cognito-threat-protection policy "
        "exemption). Both need the Plus feature plan, so AUDIT saves nothing.",
        "ENFORCED",
    ),
    KeySpec(
        "authCallbackUrls",
        "array",
        "Extra OAuth callback URLs of the storefront app client (https://..., or "
        "http://localhost:<port>/... for a local storefront). https://<domain>/api/account/callback "
        "is always included when shop3d:domain is set; without a domain at least one is "
        "required.",
        from_preset=PRESET,
    ),
    KeySpec(
        "authDomainPrefix",
        "string",
        "Prefix of the Cognito hosted UI domain (<prefix>.auth.<region>.amazoncognito.com); "
        "unique per region across AWS. Unset: shop3d-<stack>-auth.",
    ),
    KeySpec(
        "authTokenMinutes", "integer", "Lifetime of access and ID tokens, in minutes (5-1440).", 60
    ),
    KeySpec("authRefreshTokenDays", "integer", "Lifetime of refresh tokens, in days (1-3650).", 30),
    KeySpec(
        "identityProviders",
        "array",
        "Social sign-in, each '<Google|Facebook|SignInWithApple> clientId=<id> "
        "[secret=<Secrets Manager name or ARN>]' (SignInWithApple also teamId=... keyId=...). "
        "The secret holds the client secret (Apple: the .p8 private key); default name "
        "shop3d/<stack>/identity/<provider in lower case>.",
        (),
    ),
    KeySpec(
        "policyExemptions",
        "array",
        "Policy pack rules relaxed for this stack, each 'rule-name: reason'. The reason is "
        "required and listed in docs/shipping.md.",
        (),
    ),
)

KEY_SPECS: dict[str, KeySpec] = {k.key: k for k in KEYS}


def qualified(key: str) -> str:
    """The key as stack files and errors spell it: `shop3d:<key>`."""
    return f"{NAMESPACE}:{key}"
