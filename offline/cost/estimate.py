"""The monthly estimate: each priced resource type has one function that reads the resource's
own inputs (instance types, node counts, capacity, replicas) and the traffic profile, and
returns line items. What a resource costs therefore follows the program: a node type changed
in config changes the estimate, and a type the program starts to create shows up under "not
priced" until it gets a function here.

`Features` switches off what saves money (CloudFront caching, the Redis read cache, spot,
S3 Intelligent-Tiering) so that the same graph can be priced with and without each of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.shared.tables import CARTS, CATALOG, IDEMPOTENCY, SESSIONS
from offline.cost.prices import REFERENCE_REGION, PriceBook, PriceMissing
from offline.cost.traffic import TrafficProfile
from offline.inputs import compute_resources, replication_time_rules
from offline.runner import ProgramRun, RecordedResource
from offline.scope import GLOBAL, cell_regions
from policy import tokens

HOURS = 730.0  # AWS bills a month as 730 hours
GB = 1024.0
API_RESPONSE_KB = 8.0  # average /api/* response, for the ALB's processed-bytes LCU dimension
# Share of the profile's DynamoDB writes and stored bytes each table takes (catalog reads are
# priced separately: they are what Redis absorbs).
TABLE_USAGE: dict[str, tuple[float, float]] = {  # role: (write share, storage share)
    CATALOG.logical_name: (0.05, 0.4),
    CARTS.logical_name: (0.5, 0.3),
    SESSIONS.logical_name: (0.3, 0.2),
    IDEMPOTENCY.logical_name: (0.15, 0.1),
}
INTELLIGENT_TIERING = "INTELLIGENT_TIERING"


@dataclass(frozen=True)
class Features:
    """What saves money; each can be switched off to see what it saves."""

    cdn_cache: bool = True
    redis_cache: bool = True
    spot: bool = True
    intelligent_tiering: bool = True


@dataclass(frozen=True)
class LineItem:
    service: str
    region: str
    what: str
    usd: float


@dataclass
class Context:
    run: ProgramRun
    profile: TrafficProfile
    prices: PriceBook
    features: Features
    regions: list[str] = field(init=False)
    by_urn: dict[str, RecordedResource] = field(init=False)

    def __post_init__(self) -> None:
        self.regions = cell_regions(self.run)
        self.by_urn = self.run.by_urn()

    def share(self, region: str) -> float:
        return self.profile.share(region, self.regions)

    def depends_on_type(self, resource: RecordedResource, type_: str) -> list[RecordedResource]:
        found = (self.by_urn.get(d) for d in resource.dependencies)
        return [r for r in found if r is not None and r.type_ == type_]

    def dependents(self, resource: RecordedResource, type_: str) -> list[RecordedResource]:
        return [r for r in self.run.of_type(type_) if resource.urn in r.dependencies]

    def has_redis(self, region: str) -> bool:
        return self.features.redis_cache and any(
            r.region == region for r in self.run.of_type(REDIS)
        )

    def region_of(self, resource: RecordedResource) -> str:
        """The resource's region; a remote component (awsx VPC) has none: its name carries it."""
        if resource.region:
            return resource.region
        return next((r for r in self.regions if f"-{r}-" in f"-{resource.name}-"), self.regions[0])


Estimator = Callable[[Context, RecordedResource], list[LineItem]]
REDIS = tokens.REPLICATION_GROUP
BUCKET = tokens.BUCKET


def _num(inputs: dict[str, Any], key: str, default: float = 0.0) -> float:
    value = inputs.get(key)
    return float(value) if isinstance(value, int | float) else default


def _item(service: str, region: str, what: str, usd: float) -> LineItem:
    return LineItem(service, region, what, round(usd, 2))


# -- compute ----------------------------------------------------------------------------------


def web_tier(ctx: Context, asg: RecordedResource) -> list[LineItem]:
    region = ctx.region_of(asg)
    policy = asg.inputs.get("mixedInstancesPolicy") or {}
    distribution = policy.get("instancesDistribution") or {}
    overrides = (policy.get("launchTemplate") or {}).get("overrides") or []
    instance_type = overrides[0]["instanceType"] if overrides else "t4g.small"
    running = min(
        max(ctx.profile.web_instances, _num(asg.inputs, "minSize")),
        _num(asg.inputs, "maxSize", ctx.profile.web_instances),
    )
    base = min(running, _num(distribution, "onDemandBaseCapacity"))
    above = running - base
    spot_fraction = 1 - _num(distribution, "onDemandPercentageAboveBaseCapacity", 100) / 100
    spot = above * spot_fraction * ctx.profile.spot_share if ctx.features.spot else 0.0
    on_demand = running - spot
    hourly = ctx.prices.region(f"ec2.hour.{instance_type}", region)
    spot_hourly = hourly * (1 - ctx.prices.region("spot_discount", region))
    return [
        _item(
            "EC2",
            region,
            f"{asg.name}: {on_demand:g} on-demand {instance_type}",
            on_demand * hourly * HOURS,
        ),
        _item(
            "EC2", region, f"{asg.name}: {spot:g} spot {instance_type}", spot * spot_hourly * HOURS
        ),
    ]


# The render queue's compute environment (components/cell/render_batch.py: `render-<gpu|cpu>`).
RENDER_ENVIRONMENT = "-render-"
# A render job's 4 vCPU; on the gpu route the job holds a whole g6.xlarge.
RENDER_JOB_VCPUS = 4
GPU_INSTANCE = "ec2.hour.g6.xlarge"


def render_batch(ctx: Context, environment: RecordedResource) -> list[LineItem]:
    """Posters: one job per published model, on GPU spot (a g6.xlarge) or 4 CPU vCPUs."""
    region = ctx.region_of(environment)
    resources = compute_resources(environment.inputs)
    gpu = resources.get("instanceTypes", [""])[0].startswith("g")
    if gpu:
        try:
            hourly = ctx.prices.region(GPU_INSTANCE, region)
        except PriceMissing:  # the snapshot has the GPU price for the reference region only
            ctx.prices.substituted_regions.add(region)
            hourly = ctx.prices.region(GPU_INSTANCE, REFERENCE_REGION)
    else:
        family = resources.get("instanceTypes", ["c7i"])[0].split(".")[0]
        hourly = ctx.prices.region(f"ec2.hour.{family}.large", region) / 2 * RENDER_JOB_VCPUS
    on_spot = resources.get("type") == "SPOT" and ctx.features.spot
    if on_spot:
        hourly *= 1 - ctx.prices.region("spot_discount", region)
    hours = ctx.profile.models_uploaded * ctx.profile.poster_job_seconds / 3600 * ctx.share(region)
    what = "g6.xlarge" if gpu else f"{RENDER_JOB_VCPUS} vCPU"
    return [
        _item(
            "Batch (EC2)",
            region,
            f"{environment.name}: {hours:g} h of {what} {'spot' if on_spot else 'on-demand'}",
            hours * hourly,
        )
    ]


def batch(ctx: Context, environment: RecordedResource) -> list[LineItem]:
    if RENDER_ENVIRONMENT in environment.name:
        return render_batch(ctx, environment)
    region = ctx.region_of(environment)
    resources = compute_resources(environment.inputs)
    family = (resources.get("instanceTypes") or ["c7g"])[0].split(".")[0]
    per_vcpu = ctx.prices.region(f"ec2.hour.{family}.large", region) / 2  # a .large has 2 vCPU
    on_spot = resources.get("type") in ("SPOT", "FARGATE_SPOT") and ctx.features.spot
    if on_spot:
        per_vcpu *= 1 - ctx.prices.region("spot_discount", region)
    p = ctx.profile
    vcpu_hours = p.models_uploaded * p.large_model_share * p.batch_vcpu_hours_per_model
    return [
        _item(
            "Batch (EC2)",
            region,
            f"{environment.name}: {vcpu_hours * ctx.share(region):g}"
            f" vCPU-h {'spot' if on_spot else 'on-demand'}",
            vcpu_hours * ctx.share(region) * per_vcpu,
        )
    ]


def lambda_function(ctx: Context, function: RecordedResource) -> list[LineItem]:
    """API functions sit behind an ALB target group; pipeline functions read an SQS queue."""
    region = ctx.region_of(function)
    p = ctx.profile
    behind_alb = ctx.dependents(function, tokens.TARGET_GROUP_ATTACHMENT)
    from_queue = ctx.dependents(function, tokens.EVENT_SOURCE_MAPPING)
    if behind_alb:
        invocations, seconds = p.api_requests * ctx.share(region), p.cart_lambda_ms / 1000
    elif from_queue:
        invocations = p.models_uploaded * (1 - p.large_model_share) * ctx.share(region)
        seconds = p.asset_lambda_seconds
    else:
        return []
    architecture = (function.inputs.get("architectures") or ["x86_64"])[0]
    gb_seconds = invocations * seconds * _num(function.inputs, "memorySize", 128) / GB
    return [
        _item(
            "Lambda",
            region,
            f"{function.name}: {invocations:,.0f} invocations, "
            f"{gb_seconds:,.0f} GB-s {architecture}",
            gb_seconds * ctx.prices.region(f"lambda.gb_second.{architecture}", region)
            + invocations / 1e6 * ctx.prices.region("lambda.request_million", region),
        )
    ]


# -- network ----------------------------------------------------------------------------------


def load_balancer(ctx: Context, alb: RecordedResource) -> list[LineItem]:
    region = ctx.region_of(alb)
    requests = ctx.profile.api_requests * ctx.share(region)
    seconds = HOURS * 3600
    new_connections_per_second = requests / ctx.profile.alb_requests_per_connection / seconds
    gb_per_hour = requests * API_RESPONSE_KB / GB / GB / HOURS
    lcus = max(new_connections_per_second / 25, gb_per_hour)
    return [
        _item(
            "ELB",
            region,
            f"{alb.name}: {HOURS:g} h, {lcus:.2f} LCU average",
            HOURS
            * (
                ctx.prices.region("alb.hour", region)
                + lcus * ctx.prices.region("alb.lcu_hour", region)
            ),
        )
    ]


def vpc(ctx: Context, network: RecordedResource) -> list[LineItem]:
    region = ctx.region_of(network)
    strategy = (network.inputs.get("natGateways") or {}).get("strategy", "None")
    gateways = {
        "OnePerAz": _num(network.inputs, "numberOfAvailabilityZones", 2),
        "Single": 1.0,
    }.get(strategy, 0.0)
    if not gateways:
        return []
    return [
        _item(
            "VPC (NAT)",
            region,
            f"{network.name}: {gateways:g} NAT gateways, {ctx.profile.nat_gb:g} GB",
            gateways * HOURS * ctx.prices.region("nat.hour", region)
            + ctx.profile.nat_gb * ctx.prices.region("nat.gb", region),
        )
    ]


def vpc_endpoint(ctx: Context, endpoint: RecordedResource) -> list[LineItem]:
    if endpoint.inputs.get("vpcEndpointType") != "Interface":
        return []  # gateway endpoints (S3, DynamoDB) are free
    region = ctx.region_of(endpoint)
    azs = len(endpoint.inputs.get("subnetIds") or [None])
    return [
        _item(
            "VPC (endpoints)",
            region,
            f"{endpoint.name}: {azs} AZ",
            azs * HOURS * ctx.prices.region("vpc.interface_endpoint_az_hour", region),
        )
    ]


# -- edge -------------------------------------------------------------------------------------


def distribution(ctx: Context, cdn: RecordedResource) -> list[LineItem]:
    p = ctx.profile
    served = set(
        ctx.prices.cloudfront_price_classes.get(
            str(cdn.inputs.get("priceClass")), ["north_america", "europe", "australia"]
        )
    )
    items = []
    for region in ctx.regions:
        # Viewers outside the price class are served (and billed) from the cheapest edges.
        geo = ctx.prices.geography(region)
        geo = geo if geo in served else "north_america"
        share = ctx.share(region)
        requests = (p.cdn_requests + p.api_requests) * share
        items.append(
            _item(
                "CloudFront",
                GLOBAL,
                f"{cdn.name}: viewers near {region} ({geo}), "
                f"{p.cdn_gb * share:,.0f} GB, {requests:,.0f} requests",
                p.cdn_gb * share * ctx.prices.global_price(f"cloudfront.gb.{geo}")
                + requests / 1e4 * ctx.prices.global_price(f"cloudfront.https_request_10k.{geo}"),
            )
        )
    hit = p.cdn_hit_ratio if ctx.features.cdn_cache else 0.0
    misses = p.cdn_requests * (1 - hit)
    origin = ctx.regions[0]
    items.append(
        _item(
            "S3",
            origin,
            f"{cdn.name} origin fetches: {misses:,.0f} GETs (hit ratio {hit:g})",
            misses / 1000 * ctx.prices.region("s3.get_1000", origin),
        )
    )
    return items


def web_acl(ctx: Context, acl: RecordedResource) -> list[LineItem]:
    rules = len(acl.inputs.get("rules") or [])
    requests = ctx.profile.cdn_requests + ctx.profile.api_requests
    return [
        _item(
            "WAF",
            GLOBAL,
            f"{acl.name}: 1 ACL, {rules} rules, {requests:,.0f} requests",
            ctx.prices.global_price("waf.web_acl_month")
            + rules * ctx.prices.global_price("waf.rule_month")
            + requests / 1e6 * ctx.prices.global_price("waf.request_million"),
        )
    ]


def hosted_zone(ctx: Context, zone: RecordedResource) -> list[LineItem]:
    return [
        _item(
            "Route 53",
            GLOBAL,
            f"{zone.name}: hosted zone (alias queries are free)",
            ctx.prices.global_price("route53.zone_month"),
        )
    ]


def health_check(ctx: Context, check: RecordedResource) -> list[LineItem]:
    options = sum(
        [
            check.inputs.get("type") in ("HTTPS", "HTTPS_STR_MATCH"),
            bool(check.inputs.get("measureLatency")),
            _num(check.inputs, "requestInterval", 30) < 30,
        ]
    )
    return [
        _item(
            "Route 53",
            GLOBAL,
            f"{check.name}: health check, {options} options",
            ctx.prices.global_price("route53.health_check_month")
            + options * ctx.prices.global_price("route53.health_check_option_month"),
        )
    ]


def user_pool(ctx: Context, pool: RecordedResource) -> list[LineItem]:
    tier = str(pool.inputs.get("userPoolTier") or "ESSENTIALS")
    return [
        _item(
            "Cognito",
            GLOBAL,
            f"{pool.name}: {ctx.profile.cognito_mau:,.0f} MAU ({tier})",
            ctx.profile.cognito_mau * ctx.prices.global_price(f"cognito.mau.{tier}"),
        )
    ]


def shield(ctx: Context, subscription: RecordedResource) -> list[LineItem]:
    return [
        _item(
            "Shield Advanced",
            GLOBAL,
            subscription.name,
            ctx.prices.global_price("shield.advanced_month"),
        )
    ]


# -- data -------------------------------------------------------------------------------------


def redis(ctx: Context, group: RecordedResource) -> list[LineItem]:
    if not ctx.features.redis_cache:
        return []
    region = ctx.region_of(group)
    node_type = str(group.inputs.get("nodeType"))
    nodes = _num(group.inputs, "numCacheClusters", 1)
    return [
        _item(
            "ElastiCache",
            region,
            f"{group.name}: {nodes:g} x {node_type}",
            nodes * HOURS * ctx.prices.region(f"elasticache.hour.{node_type}", region),
        )
    ]


def aurora(ctx: Context, cluster: RecordedResource) -> list[LineItem]:
    region = ctx.region_of(cluster)
    p = ctx.profile
    scaling = cluster.inputs.get("serverlessv2ScalingConfiguration") or {}
    acu = min(
        max(p.aurora_acu, _num(scaling, "minCapacity", 0.5)),
        _num(scaling, "maxCapacity", p.aurora_acu),
    )
    instances = len(ctx.dependents(cluster, tokens.RDS_CLUSTER_INSTANCE))
    secondary = bool(cluster.inputs.get("replicationSourceIdentifier")) or region != ctx.regions[0]
    io_millions = p.aurora_io_millions * (0.5 if secondary else 1.0)  # replicas apply writes
    return [
        _item(
            "Aurora",
            region,
            f"{cluster.name}: {instances} x {acu:g} ACU, "
            f"{p.aurora_storage_gb:g} GB, {io_millions:g} M I/O",
            instances * acu * HOURS * ctx.prices.region("aurora.acu_hour", region)
            + p.aurora_storage_gb * ctx.prices.region("aurora.storage_gb_month", region)
            + io_millions * ctx.prices.region("aurora.io_million", region),
        )
    ]


def _table_role(table: RecordedResource) -> str | None:
    return next((role for role in TABLE_USAGE if table.name.endswith(f"-{role}")), None)


def table(ctx: Context, table_: RecordedResource) -> list[LineItem]:
    """A global table is billed in every replica region: local reads, every write (local or
    replicated) and its own copy of the data."""
    role = _table_role(table_)
    if role is None:
        return []
    p = ctx.profile
    write_share, storage_share = TABLE_USAGE[role]
    home = ctx.region_of(table_)
    replicas = [r["regionName"] for r in table_.inputs.get("replicas") or []]
    other_requests = p.api_requests - p.catalog_reads
    writes = other_requests * p.dynamodb_writes_per_api_request * write_share
    items = []
    for region in [home, *replicas]:
        share = ctx.share(region) if replicas else ctx.share(home)
        if role == CATALOG.logical_name:
            reads = p.catalog_reads * share
            reads *= (1 - p.redis_hit_ratio) if ctx.has_redis(region) else 1.0
        else:
            reads = other_requests * p.dynamodb_reads_per_api_request * share / 2
        local_writes = writes if replicas else writes * share
        storage = p.dynamodb_storage_gb * storage_share
        pitr = storage if (table_.inputs.get("pointInTimeRecovery") or {}).get("enabled") else 0
        items.append(
            _item(
                "DynamoDB",
                region,
                f"{table_.name}: {reads:,.0f} reads, {local_writes:,.0f} writes, {storage:g} GB",
                reads / 1e6 * ctx.prices.region("dynamodb.read_million", region)
                + local_writes / 1e6 * ctx.prices.region("dynamodb.write_million", region)
                + storage * ctx.prices.region("dynamodb.storage_gb_month", region)
                + pitr * ctx.prices.region("dynamodb.pitr_gb_month", region),
            )
        )
    return items


def _lifecycle_storage_classes(ctx: Context, bucket: RecordedResource) -> set[str]:
    classes: set[str] = set()
    for config in ctx.dependents(bucket, tokens.BUCKET_LIFECYCLE):
        for rule in config.inputs.get("rules") or []:
            classes.update(t.get("storageClass", "") for t in rule.get("transitions") or [])
    return classes


def bucket(ctx: Context, bucket_: RecordedResource) -> list[LineItem]:
    """Asset buckets (an Intelligent-Tiering lifecycle) hold the published models in every
    region; upload buckets (notifying a queue) hold a month of raw uploads."""
    region = ctx.region_of(bucket_)
    p = ctx.profile
    price = ctx.prices.region
    if INTELLIGENT_TIERING in _lifecycle_storage_classes(ctx, bucket_):
        gb = p.asset_storage_gb
        if not ctx.features.intelligent_tiering:
            return [
                _item(
                    "S3",
                    region,
                    f"{bucket_.name}: {gb:g} GB Standard",
                    gb * price("s3.standard_gb_month", region),
                )
            ]
        frequent = 1 - p.idle_30_days_share - p.idle_90_days_share
        return [
            _item(
                "S3",
                region,
                f"{bucket_.name}: {gb:g} GB Intelligent-Tiering ({frequent:.0%} frequent)",
                gb
                * (
                    frequent * price("s3.standard_gb_month", region)
                    + p.idle_30_days_share * price("s3.it_infrequent_gb_month", region)
                    + p.idle_90_days_share * price("s3.it_archive_instant_gb_month", region)
                )
                + p.asset_objects / 1000 * price("s3.it_monitoring_1000_objects", region),
            )
        ]
    if ctx.dependents(bucket_, tokens.BUCKET_NOTIFICATION) and any(
        n.inputs.get("queues") for n in ctx.dependents(bucket_, tokens.BUCKET_NOTIFICATION)
    ):
        uploads = p.models_uploaded * ctx.share(region)
        gb = uploads * p.model_mb / GB
        return [
            _item(
                "S3",
                region,
                f"{bucket_.name}: {gb:,.1f} GB of uploads, "
                f"{uploads * p.objects_per_model:,.0f} PUTs",
                gb * price("s3.standard_gb_month", region)
                + uploads * p.objects_per_model / 1000 * price("s3.put_1000", region),
            )
        ]
    return []


def replication(ctx: Context, config: RecordedResource) -> list[LineItem]:
    """Each model published in this region (its share of the uploads: every cell publishes
    into its own bucket) crosses to every destination region (and pays RTC when on). Only
    asset replication is modelled: other buckets carry no modelled traffic."""
    sources = [
        b
        for b in ctx.depends_on_type(config, BUCKET)
        if INTELLIGENT_TIERING in _lifecycle_storage_classes(ctx, b)
    ]
    if not sources:
        return []
    region = ctx.region_of(config)
    p = ctx.profile
    published_gb = p.models_uploaded * p.model_mb / GB * ctx.share(region)
    rules = config.inputs.get("rules") or []
    rtc = replication_time_rules(config.inputs)
    return [
        _item(
            "S3 replication",
            region,
            f"{config.name}: {published_gb:,.1f} GB to {len(rules)} regions, RTC on {rtc}",
            published_gb
            * (
                len(rules) * ctx.prices.region("transfer.inter_region_gb", region)
                + rtc * ctx.prices.region("s3.rtc_gb", region)
            ),
        )
    ]


# -- management -------------------------------------------------------------------------------


def _flat(service: str, key: str) -> Estimator:
    def estimate(ctx: Context, resource: RecordedResource) -> list[LineItem]:
        region = ctx.region_of(resource)
        copies = 1 + len(resource.inputs.get("replicas") or [])  # a replicated secret bills each
        return [_item(service, region, resource.name, copies * ctx.prices.region(key, region))]

    return estimate


def queue(ctx: Context, queue_: RecordedResource) -> list[LineItem]:
    if not ctx.dependents(queue_, tokens.EVENT_SOURCE_MAPPING):
        return []  # dead-letter queues: no traffic modelled
    region = ctx.region_of(queue_)
    requests = ctx.profile.models_uploaded * ctx.share(region) * 3  # send, receive, delete
    return [
        _item(
            "SQS",
            region,
            f"{queue_.name}: {requests:,.0f} requests",
            requests / 1e6 * ctx.prices.region("sqs.request_million", region),
        )
    ]


ESTIMATORS: dict[str, Estimator] = {
    tokens.AUTOSCALING_GROUP: web_tier,
    tokens.BATCH_COMPUTE_ENVIRONMENT: batch,
    tokens.FUNCTION: lambda_function,
    tokens.LOAD_BALANCER: load_balancer,
    tokens.AWSX_VPC: vpc,
    tokens.VPC_ENDPOINT: vpc_endpoint,
    tokens.DISTRIBUTION: distribution,
    tokens.WEB_ACL: web_acl,
    tokens.HOSTED_ZONE: hosted_zone,
    tokens.HEALTH_CHECK: health_check,
    tokens.USER_POOL: user_pool,
    tokens.SHIELD_SUBSCRIPTION: shield,
    REDIS: redis,
    tokens.RDS_CLUSTER: aurora,
    tokens.TABLE: table,
    BUCKET: bucket,
    tokens.BUCKET_REPLICATION: replication,
    tokens.KMS_KEY: _flat("KMS", "kms.key_month"),
    tokens.KMS_REPLICA_KEY: _flat("KMS", "kms.key_month"),
    tokens.SECRET: _flat("Secrets Manager", "secrets.secret_month"),
    tokens.METRIC_ALARM: _flat("CloudWatch", "cloudwatch.alarm_month"),
    tokens.DASHBOARD: _flat("CloudWatch", "cloudwatch.dashboard_month"),
    tokens.SQS_QUEUE: queue,
}


# Types AWS does not bill by themselves (their cost, if any, is priced with the resource they
# configure, or is usage the estimate prices per region). Anything else without an estimator
# is listed as "not priced".
NO_CHARGE = (
    "aws:iam/",
    "aws:vpc/",
    "aws:s3/bucket",
    "aws:lb/listener",
    "aws:lb/targetGroup",
    "aws:route53/record:",
    "aws:acm/",
    "aws:kms/alias:",
    "aws:cognito/user",
    "aws:sqs/",
    "aws:lambda/permission:",
    "aws:lambda/eventSourceMapping:",
    "aws:autoscaling/policy:",
    "aws:cognito/riskConfiguration:",  # part of the Plus tier priced per MAU
    "aws:batch/job",
    "aws:rds/subnetGroup:",
    "aws:rds/globalCluster:",
    "aws:rds/clusterInstance:",
    "aws:elasticache/subnetGroup:",
    "aws:cloudfront/",
    "aws:ec2/securityGroup:",
    "aws:ec2/defaultSecurityGroup:",
    "aws:ec2/launchTemplate:",
    "aws:secretsmanager/secretVersion:",
    "aws:cloudwatch/logGroup:",
    "aws:ecr/lifecyclePolicy:",
    "aws:sns/topicSubscription:",
    "aws:wafv2/webAclLoggingConfiguration:",
    "aws:guardduty/detectorFeature:",
    "aws:backup/plan:",
    "aws:backup/selection:",
    "aws:backup/regionSettings:",
    "aws:backup/vaultLockConfiguration:",
    "random:",
    "docker-build:",
    "pulumi:",
    "aws:signer/",
    "aws:lambda/codeSigningConfig:",  # Signer is free for Lambda; so are configs
    "aws:ecr/replicationConfiguration:",  # the copies bill as storage in each repository
    "aws:route53/keySigningKey:",  # DNSSEC signing is free; its KMS key is priced
    "aws:route53/hostedZoneDnsSec:",
    "aws:route53/queryLog:",  # free; the log group's ingestion is the regional logs line
    "aws:cloudwatch/logResourcePolicy:",
    "pulumi-python:dynamic:",  # ReplicatedImage: a wait, nothing in AWS
)


def regional_usage(ctx: Context) -> list[LineItem]:
    """Usage that belongs to a region rather than one resource: logs and KMS requests."""
    items = []
    for region in ctx.regions:
        share = ctx.share(region)
        items.append(
            _item(
                "CloudWatch",
                region,
                f"logs: {ctx.profile.log_gb:g} GB ingested",
                ctx.profile.log_gb * ctx.prices.region("cloudwatch.logs_ingest_gb", region),
            )
        )
        requests = ctx.profile.kms_requests * share
        items.append(
            _item(
                "KMS",
                region,
                f"{requests:,.0f} requests",
                requests / 1e4 * ctx.prices.region("kms.request_10k", region),
            )
        )
    return items


@dataclass
class Estimate:
    items: list[LineItem]
    # Resource types the program creates that have no estimator: counted, never guessed.
    not_priced: dict[str, int]

    @property
    def total(self) -> float:
        return round(sum(i.usd for i in self.items), 2)

    def by_service_region(self) -> dict[tuple[str, str], float]:
        totals: dict[tuple[str, str], float] = {}
        for item in self.items:
            key = (item.service, item.region)
            totals[key] = round(totals.get(key, 0.0) + item.usd, 2)
        return dict(sorted(totals.items()))


def estimate(
    run: ProgramRun, profile: TrafficProfile, prices: PriceBook, features: Features = Features()
) -> Estimate:
    ctx = Context(run, profile, prices, features)
    items: list[LineItem] = []
    not_priced: dict[str, int] = {}
    for resource in run.resources:
        estimator = ESTIMATORS.get(resource.type_)
        if estimator is not None:
            items.extend(estimator(ctx, resource))
        elif resource.custom and not resource.type_.startswith(NO_CHARGE):
            not_priced[resource.type_] = not_priced.get(resource.type_, 0) + 1
    items.extend(regional_usage(ctx))
    return Estimate(items, dict(sorted(not_priced.items())))
