"""Aurora PostgreSQL Global Database: orders and inventory, ACID, one writer.

The primary cluster takes writes in the primary region; every other region has a read-only
secondary cluster that Aurora can promote. Serverless v2 capacity comes from config.

RDS-managed master passwords (`manage_master_user_password`) are not supported for clusters
in a global database, so the master password is generated here, kept in a Secrets Manager
secret (the region's key, replicated to every secondary region) and rotated every 30 days
by AWS's own PostgreSQL rotation function from the Serverless Application Repository. Only the
primary cell's cart-schema Lambda reads it (to apply the schema and create the cart's role); the
cart Lambdas sign in to their region's own cluster as that least-privilege role with IAM
database authentication tokens.

Writes reach the current writer by Aurora's write forwarding, not by the global writer endpoint:
every cluster asks for global write forwarding (a secondary forwards its DML to whichever cluster
is the writer now; on the writer the request waits dormant until a switchover or failover makes
it a secondary), and a cluster of more than one instance also forwards locally (reader to
writer inside the cluster). So each cart connects to its own cluster's reader endpoint, in its
own VPC, with an IAM token signed for that host and region, whichever region holds the writer.
The global writer endpoint would resolve to a private address in the writer's VPC: every other
cell would need a peering mesh to it, a database security group open to every cell, and a token
signed for a region that changes at each failover. docs/failover.md has the whole comparison.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components import iam
from components.cell_network import POSTGRES_PORT
from components.interfaces import NetworkOutputs
from components.naming import global_name, physical, regional
from components.options import child, stateful
from stack_config.config import StackConfig

ENGINE = "aurora-postgresql"
# Logged into the exported postgresql log: statements slower than a second (the cart's p99
# budget is far below it) and every schema change, for the audit trail.
SLOW_STATEMENT_MS = 1000
LOGGED_STATEMENTS = "ddl"


def _logging_parameters(
    parent: pulumi.Resource, region: str, provider: aws.Provider, engine_version: str
) -> aws.rds.ClusterParameterGroup:
    return aws.rds.ClusterParameterGroup(
        regional("data", region, "aurora-parameters"),
        family=f"{ENGINE}{engine_version.split('.')[0]}",
        description="shop3d Aurora: log slow statements and DDL",
        parameters=[
            aws.rds.ClusterParameterGroupParameterArgs(
                name="log_min_duration_statement", value=str(SLOW_STATEMENT_MS)
            ),
            aws.rds.ClusterParameterGroupParameterArgs(
                name="log_statement", value=LOGGED_STATEMENTS
            ),
        ],
        opts=child(parent, provider=provider),
    )


DATABASE_NAME = "shop3d"
# A non-default admin name (not "postgres").
MASTER_USERNAME = "shop3d_admin"
ROTATION_DAYS = 30
ROTATION_APP = (
    "arn:aws:serverlessrepo:us-east-1:297356227824:applications/"
    "SecretsManagerRDSPostgreSQLRotationSingleUser"
)
ROTATION_APP_VERSION = "1.1.367"
MONITORING_INTERVAL_SECONDS = 60
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7


@dataclass(frozen=True)
class RegionalCluster:
    region: str
    cluster: aws.rds.Cluster
    instances: tuple[aws.rds.ClusterInstance, ...]


@dataclass(frozen=True)
class GlobalDatabase:
    global_cluster: aws.rds.GlobalCluster
    clusters: dict[str, RegionalCluster]
    master_secret: aws.secretsmanager.Secret

    @property
    def writer_endpoint(self) -> pulumi.Output[str]:
        return self.global_cluster.endpoint


def instances_in(config: StackConfig, region: str) -> int:
    """Instances of a region's cluster: auroraInstances in the writer's (Multi-AZ in prod),
    auroraSecondaryInstances elsewhere. A secondary needs one: with no instance (headless) it
    could not forward the cell's writes nor serve its reads, and a failover to it would wait
    for an instance to be created."""
    return (
        config.aurora_instances
        if region == config.primary.name
        else config.aurora_secondary_instances
    )


@dataclass(frozen=True)
class WriteForwarding:
    global_: bool
    local: bool


def write_forwarding(regions: int, instances: int) -> WriteForwarding:
    """The cluster's write forwarding: global on every cluster of a global database of two or
    more regions (whichever is a secondary forwards; see the module docstring), local when the
    cluster has readers (the reader endpoint may land on one). Aurora PostgreSQL 14.9+, 15.4+
    or 16 for global, 14.13+, 15.8+ or 16.4+ for local (docs/failover.md cites them)."""
    return WriteForwarding(global_=regions > 1, local=instances > 1)


def _monitoring_role(
    parent: pulumi.Resource, provider: aws.Provider
) -> tuple[aws.iam.Role, aws.iam.RolePolicyAttachment]:
    """The enhanced-monitoring role and its policy: an instance needs both (the ARN alone
    orders it after the role, not after the attachment, and RDS then refuses the role)."""
    role = aws.iam.Role(
        global_name("data", "aurora-monitoring-role"),
        assume_role_policy=iam.assume_role("monitoring.rds.amazonaws.com"),
        opts=child(parent, provider=provider),
    )
    attachment = aws.iam.RolePolicyAttachment(
        global_name("data", "aurora-monitoring-policy"),
        role=role.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        opts=child(parent, provider=provider),
    )
    return role, attachment


def _master_secret(
    parent: pulumi.Resource,
    config: StackConfig,
    providers: Mapping[str, aws.Provider],
    key_arns: Mapping[str, pulumi.Output[str]],
) -> tuple[aws.secretsmanager.Secret, pulumi.Output[str]]:
    primary = config.primary.name
    password = random.RandomPassword(
        global_name("data", "aurora-master-password"),
        length=40,
        special=True,
        # Characters RDS refuses in a master password.
        override_special="!#$%&*()-_=+[]{}<>:?",
        opts=child(parent),
    )
    secret = aws.secretsmanager.Secret(
        regional("data", primary, "aurora-master-secret"),
        description="shop3d Aurora master credentials (rotated; services use IAM auth)",
        kms_key_id=key_arns[primary],
        recovery_window_in_days=30 if config.deletion_protection else 7,
        replicas=[
            aws.secretsmanager.SecretReplicaArgs(region=r.name, kms_key_id=key_arns[r.name])
            for r in config.secondaries
        ]
        or None,
        opts=stateful(parent, config.deletion_protection, provider=providers[primary]),
    )
    return secret, password.result


def _rotation(
    parent: pulumi.Resource,
    region: str,
    provider: aws.Provider,
    secret: aws.secretsmanager.Secret,
    network: NetworkOutputs,
    key_arn: pulumi.Output[str],
    after: Sequence[pulumi.Resource],
) -> None:
    """Rotation of the master secret, scheduled only: the first rotation runs after
    ROTATION_DAYS, never at creation (the value and the writer it logs in to are `after`)."""
    app = aws.serverlessrepository.CloudFormationStack(
        regional("data", region, "aurora-rotation-app"),
        name=physical("aurora-rotation"),
        application_id=ROTATION_APP,
        semantic_version=ROTATION_APP_VERSION,
        capabilities=["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
        parameters={
            "endpoint": f"https://secretsmanager.{region}.amazonaws.com",
            "functionName": physical("aurora-rotation"),
            "vpcSubnetIds": network.private_subnet_ids.apply(",".join),
            "vpcSecurityGroupIds": network.lambda_security_group_id,
            "kmsKeyArn": key_arn,
        },
        opts=child(parent, provider=provider),
    )
    aws.secretsmanager.SecretRotation(
        regional("data", region, "aurora-master-rotation"),
        secret_id=secret.id,
        rotation_lambda_arn=app.outputs.apply(lambda o: o["RotationLambdaARN"]),
        rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
            automatically_after_days=ROTATION_DAYS
        ),
        # Rotating at creation would run before the writer accepts the password.
        rotate_immediately=False,
        opts=child(parent, provider=provider, depends_on=list(after)),
    )


def global_database(
    parent: pulumi.Resource,
    config: StackConfig,
    providers: Mapping[str, aws.Provider],
    key_arns: Mapping[str, pulumi.Output[str]],
    networks: Mapping[str, NetworkOutputs],
) -> GlobalDatabase:
    primary = config.primary.name
    protect = config.deletion_protection
    global_cluster = aws.rds.GlobalCluster(
        global_name("data", "aurora-global"),
        global_cluster_identifier=physical("orders"),
        engine=ENGINE,
        engine_version=config.aurora_engine_version,
        database_name=DATABASE_NAME,
        storage_encrypted=True,
        deletion_protection=protect,
        # The version creates the cluster; instances then take minor upgrades on their own
        # (auto_minor_version_upgrade), and a pinned version would be a downgrade next time.
        opts=stateful(
            parent, protect, provider=providers[primary], ignore_changes=["engineVersion"]
        ),
    )
    secret, password = _master_secret(parent, config, providers, key_arns)
    monitoring, monitoring_policy = _monitoring_role(parent, providers[primary])

    clusters: dict[str, RegionalCluster] = {}
    primary_instances: tuple[aws.rds.ClusterInstance, ...] = ()
    for region in config.region_names:
        is_primary = region == primary
        instance_count = instances_in(config, region)
        forwarding = write_forwarding(len(config.region_names), instance_count)
        provider = providers[region]
        network = networks[region]
        identifier = physical("orders", region)
        subnets = aws.rds.SubnetGroup(
            regional("data", region, "aurora-subnets"),
            subnet_ids=network.isolated_subnet_ids,
            description=f"shop3d Aurora on the isolated subnets of the {region} cell",
            opts=child(parent, provider=provider),
        )
        # Aurora creates this log group with no expiry; owning it sets retention and the key.
        log_group = aws.cloudwatch.LogGroup(
            regional("data", region, "aurora-logs"),
            name=f"/aws/rds/cluster/{identifier}/postgresql",
            retention_in_days=config.log_retention_days,
            kms_key_id=key_arns[region],
            opts=child(parent, provider=provider),
        )
        parameters = _logging_parameters(parent, region, provider, config.aurora_engine_version)
        cluster = aws.rds.Cluster(
            regional("data", region, "aurora"),
            cluster_identifier=identifier,
            db_cluster_parameter_group_name=parameters.name,
            global_cluster_identifier=global_cluster.id,
            engine=ENGINE,
            engine_mode="provisioned",
            engine_version=config.aurora_engine_version,
            database_name=DATABASE_NAME if is_primary else None,
            master_username=MASTER_USERNAME if is_primary else None,
            master_password=password if is_primary else None,
            serverlessv2_scaling_configuration=aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                min_capacity=config.aurora_min_capacity, max_capacity=config.aurora_max_capacity
            ),
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[network.database_security_group_id],
            port=POSTGRES_PORT,
            storage_encrypted=True,
            kms_key_id=key_arns[region],
            iam_database_authentication_enabled=True,
            enable_global_write_forwarding=forwarding.global_,
            enable_local_write_forwarding=forwarding.local,
            enabled_cloudwatch_logs_exports=["postgresql"],
            backup_retention_period=config.backup_retention_days,
            copy_tags_to_snapshot=True,
            deletion_protection=protect,
            skip_final_snapshot=not protect,
            final_snapshot_identifier=physical("orders", region, "final") if protect else None,
            opts=stateful(
                parent,
                protect,
                provider=provider,
                # Secondaries attach only once the primary has a writer instance.
                depends_on=[log_group, *primary_instances],
                # Engine upgrades go through the global cluster; the rotation function owns
                # the master password; Aurora sets a secondary's replication source.
                ignore_changes=["engineVersion", "masterPassword"]
                if is_primary
                else ["engineVersion", "replicationSourceIdentifier"],
            ),
        )
        instances = tuple(
            aws.rds.ClusterInstance(
                regional("data", region, "aurora", str(index)),
                identifier=physical("orders", region, str(index)),
                cluster_identifier=cluster.id,
                instance_class="db.serverless",
                engine=aws.rds.EngineType.AURORA_POSTGRESQL,
                engine_version=config.aurora_engine_version,
                db_subnet_group_name=subnets.name,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
                promotion_tier=index,
                performance_insights_enabled=True,
                performance_insights_kms_key_id=key_arns[region],
                performance_insights_retention_period=PERFORMANCE_INSIGHTS_RETENTION_DAYS,
                monitoring_interval=MONITORING_INTERVAL_SECONDS,
                monitoring_role_arn=monitoring.arn,
                copy_tags_to_snapshot=True,
                opts=stateful(
                    parent,
                    protect,
                    provider=provider,
                    depends_on=[monitoring_policy],
                    ignore_changes=["engineVersion"],
                ),
            )
            for index in range(instance_count)
        )
        if is_primary:
            primary_instances = instances
            secret_value: pulumi.Output[str] = pulumi.Output.all(cluster.endpoint, password).apply(
                lambda values: json.dumps(
                    {
                        "engine": "postgres",
                        "username": MASTER_USERNAME,
                        "password": values[1],
                        "host": values[0],
                        "port": POSTGRES_PORT,
                        "dbname": DATABASE_NAME,
                    }
                )
            )
            version = aws.secretsmanager.SecretVersion(
                regional("data", region, "aurora-master-secret-value"),
                secret_id=secret.id,
                # Secret already: the generated password makes the whole value secret.
                secret_string=secret_value,
                opts=pulumi.ResourceOptions(
                    parent=parent, provider=provider, ignore_changes=["secretString"]
                ),
            )
            _rotation(
                parent, region, provider, secret, network, key_arns[region], [version, *instances]
            )
        clusters[region] = RegionalCluster(region=region, cluster=cluster, instances=instances)
    return GlobalDatabase(global_cluster=global_cluster, clusters=clusters, master_secret=secret)
