"""Small queries over a recorded program run, shared by the graph tests."""

from __future__ import annotations

from offline.runner import ProgramRun, RecordedResource

BUCKET = "aws:s3/bucket:Bucket"
TABLE = "aws:dynamodb/table:Table"
CLUSTER = "aws:rds/cluster:Cluster"
REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey"
KEY = "aws:kms/key:Key"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"

# Types that hold data or whose loss is costly: protected in prod.
STATEFUL_TYPES = frozenset(
    {
        BUCKET,
        TABLE,
        CLUSTER,
        KEY,
        REPLICA_KEY,
        "aws:rds/globalCluster:GlobalCluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:secretsmanager/secret:Secret",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:cognito/userPool:UserPool",
        "aws:route53/zone:Zone",
        "aws:backup/vault:Vault",
    }
)


def in_region(run: ProgramRun, type_: str, region: str) -> list[RecordedResource]:
    return [r for r in run.of_type(type_) if r.region == region]


def bucket_named(run: ProgramRun, region: str, role: str) -> RecordedResource:
    return run.named(f"data-{region}-{role}")


def bucket_id(run: ProgramRun, region: str, role: str) -> str:
    """The id the mocks gave the bucket (the id its sibling resources reference)."""
    bucket = bucket_named(run, region, role)
    return str(bucket.inputs.get("bucket") or f"{bucket.name}-0a1b2c3")
