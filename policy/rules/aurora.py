"""Aurora PostgreSQL Global Database: encryption, protection, auth, logs, backups, instances."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.rules.dynamodb import covered_by_backup
from policy.values import at_least, is_false, is_set, is_true, is_unknown, items

rules = RuleSet()
CLUSTER = (t.RDS_CLUSTER,)
INSTANCE = (t.RDS_CLUSTER_INSTANCE,)
DEFAULT_ADMIN_NAMES = frozenset({"postgres", "admin", "root", "administrator", "rdsadmin"})
MIN_BACKUP_RETENTION_DAYS = 7


@rules.resource(
    "aurora-encrypted-cmk",
    "Clusters are encrypted with a customer managed key; the global cluster is encrypted.",
    (t.RDS_CLUSTER, t.RDS_GLOBAL_CLUSTER),
    "cluster-disallow-unencrypted-storage, cluster-cmk; CKV_AWS_96, CKV_AWS_327; RDS.27, RDS.4",
)
def encrypted_cmk(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("storageEncrypted")):
        yield "storageEncrypted is not true"
    if resource.type == t.RDS_CLUSTER and not is_set(resource.get("kmsKeyId")):
        yield "kmsKeyId is not set: use the region's customer managed key"


@rules.resource(
    "aurora-deletion-protection",
    "Clusters and the global cluster have deletion protection.",
    (t.RDS_CLUSTER, t.RDS_GLOBAL_CLUSTER),
    "CKV_AWS_139; RDS.7",
)
def deletion_protection(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("deletionProtection")):
        yield "deletionProtection is not true"


@rules.resource(
    "aurora-iam-auth",
    "IAM database authentication is enabled.",
    CLUSTER,
    "CKV_AWS_162; RDS.12",
)
def iam_auth(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("iamDatabaseAuthenticationEnabled")):
        yield "iamDatabaseAuthenticationEnabled is not true"


@rules.resource(
    "aurora-postgres-logs",
    "PostgreSQL logs are exported to CloudWatch Logs.",
    CLUSTER,
    "CKV_AWS_324, CKV2_AWS_27; RDS.37",
)
def postgres_logs(resource: Resource) -> Iterator[str]:
    exports = resource.get("enabledCloudwatchLogsExports")
    if not is_unknown(exports) and "postgresql" not in items(exports):
        yield "enabledCloudwatchLogsExports lacks 'postgresql'"


@rules.resource(
    "aurora-backup-retention",
    f"Automated backups are kept at least {MIN_BACKUP_RETENTION_DAYS} days.",
    CLUSTER,
    "cluster-enable/configure-backup-retention; CKV_AWS_133",
)
def backup_retention(resource: Resource) -> Iterator[str]:
    if not at_least(resource.get("backupRetentionPeriod"), MIN_BACKUP_RETENTION_DAYS):
        yield f"backupRetentionPeriod must be >= {MIN_BACKUP_RETENTION_DAYS} days"


@rules.stack(
    "aurora-aws-backup",
    "Every Aurora cluster is in an AWS Backup plan.",
    "CKV2_AWS_8",
)
def aws_backup(stack: Stack) -> Iterator[Violation]:
    for cluster in stack.of_type(t.RDS_CLUSTER):
        if not covered_by_backup(stack, cluster):
            yield cluster, f"cluster {cluster.name} is in no aws.backup.Selection"


@rules.stack(
    "aurora-multi-az",
    "The writer's cluster runs at least two instances (a writer and a reader in another AZ); "
    "a secondary cluster of a global database at least one (it forwards its cell's writes and "
    "is promoted on failover; headless it could do neither).",
    "cluster-disallow-single-az; RDS.15",
)
def multi_az(stack: Stack) -> Iterator[Violation]:
    instances = stack.of_type(t.RDS_CLUSTER_INSTANCE)
    for cluster in stack.of_type(t.RDS_CLUSTER):
        count = sum(stack.refers(i, "clusterIdentifier", cluster) for i in instances)
        needed = 1 if _is_global_secondary(cluster) else 2
        if count < needed:
            role = "secondary" if needed == 1 else "writer's"
            yield (
                cluster,
                f"{role} cluster {cluster.name} has {count} instance(s); run at least {needed}",
            )


def _is_global_secondary(cluster: Resource) -> bool:
    """A member of a global database created without a master user: a secondary (only the
    primary's cluster may set masterUsername and databaseName)."""
    return is_set(cluster.get("globalClusterIdentifier")) and not is_set(
        cluster.get("masterUsername")
    )


@rules.resource(
    "aurora-instance-private",
    "Instances are not publicly accessible.",
    INSTANCE,
    "clusterinstance-disallow-public-access; CKV_AWS_17; RDS.2",
)
def instance_private(resource: Resource) -> Iterator[str]:
    if is_true(resource.get("publiclyAccessible")) and not is_unknown(
        resource.get("publiclyAccessible")
    ):
        yield "publiclyAccessible is true"


@rules.resource(
    "aurora-instance-minor-upgrades",
    "Instances take automatic minor version upgrades.",
    INSTANCE,
    "CKV_AWS_226; RDS.35",
)
def minor_upgrades(resource: Resource) -> Iterator[str]:
    if is_false(resource.get("autoMinorVersionUpgrade")):
        yield "autoMinorVersionUpgrade is false"


@rules.resource(
    "aurora-instance-monitoring",
    "Enhanced monitoring is on (monitoringInterval > 0 with a monitoring role).",
    INSTANCE,
    "CKV_AWS_118; RDS.6",
)
def enhanced_monitoring(resource: Resource) -> Iterator[str]:
    if not at_least(resource.get("monitoringInterval"), 1):
        yield "monitoringInterval is 0 or unset: use 60 or less"
    if not is_set(resource.get("monitoringRoleArn")):
        yield "monitoringRoleArn is not set"


@rules.resource(
    "aurora-instance-performance-insights-kms",
    "Performance Insights is on and encrypted with a customer managed key.",
    INSTANCE,
    "clusterinstance PI rules; CKV_AWS_353, CKV_AWS_354",
)
def performance_insights(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("performanceInsightsEnabled")):
        yield "performanceInsightsEnabled is not true"
    elif not is_set(resource.get("performanceInsightsKmsKeyId")):
        yield "performanceInsightsKmsKeyId is not set"


@rules.resource(
    "aurora-copy-tags-to-snapshot",
    "Clusters copy their tags to snapshots.",
    CLUSTER,
    "CKV_AWS_313; RDS.16",
)
def copy_tags(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("copyTagsToSnapshot")):
        yield "copyTagsToSnapshot is not true"


@rules.resource(
    "aurora-non-default-admin",
    "The master user name is not a well-known default.",
    CLUSTER,
    "RDS.24",
)
def non_default_admin(resource: Resource) -> Iterator[str]:
    user = resource.get("masterUsername")
    if isinstance(user, str) and user.lower() in DEFAULT_ADMIN_NAMES:
        yield f"masterUsername {user!r} is a default name: choose another"


PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
LOGGING_STATEMENTS = frozenset({"ddl", "mod", "all"})


@rules.stack(
    "aurora-logs-slow-and-ddl",
    "Every Aurora PostgreSQL cluster uses a cluster parameter group that logs slow statements "
    "(log_min_duration_statement >= 0) and schema changes (log_statement ddl, mod or all).",
    "CKV2_AWS_30",
)
def logs_slow_and_ddl(stack: Stack) -> Iterator[Violation]:
    groups = stack.of_type(PARAMETER_GROUP)
    for cluster in stack.of_type(t.RDS_CLUSTER):
        if is_unknown(cluster.get("dbClusterParameterGroupName")):
            continue
        used = [g for g in groups if stack.refers(cluster, "dbClusterParameterGroupName", g)]
        values = {
            str(p.get("name")): str(p.get("value"))
            for g in used
            for p in items(g.get("parameters"))
            if isinstance(p, dict)
        }
        slow = values.get("log_min_duration_statement", "-1")
        if not used or not slow.lstrip("-").isdigit() or int(slow) < 0:
            yield (
                cluster,
                f"cluster {cluster.name}: log slow statements (log_min_duration_statement)",
            )
        elif values.get("log_statement") not in LOGGING_STATEMENTS:
            yield cluster, f"cluster {cluster.name}: log DDL (log_statement = ddl)"
