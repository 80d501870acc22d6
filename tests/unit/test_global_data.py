"""GlobalData over the whole recorded graph: nothing of the data layer is missing in any region,
for dev, prod and generated region lists."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.shared.tables import ALL_TABLES, GLOBAL_TABLES, REGIONAL_TABLES
from offline.runner import ProgramRun, RecordedResource
from policy import tokens
from stack_config.catalog import REGIONS
from tests.unit.conftest import ProgramFactory
from tests.unit.graph import (
    BUCKET,
    CLUSTER,
    KEY,
    REPLICA_KEY,
    REPLICATION,
    TABLE,
    bucket_id,
    in_region,
)

BUCKET_PARTS = (
    tokens.BUCKET_OWNERSHIP,
    tokens.BUCKET_PUBLIC_ACCESS_BLOCK,
    tokens.BUCKET_VERSIONING,
    tokens.BUCKET_SSE,
    tokens.BUCKET_LIFECYCLE,
)


def assets_replications(run: ProgramRun, region: str) -> list[RecordedResource]:
    """Replication of a region's assets bucket (other buckets, such as the audit log's,
    replicate too)."""
    return [
        r
        for r in run.of_type(REPLICATION)
        if r.inputs["bucket"] == bucket_id(run, region, "assets")
    ]


def assert_complete_data_layer(run: ProgramRun, regions: list[str]) -> None:
    primary, secondaries = regions[0], regions[1:]

    # KMS: a multi-region primary with rotation, a replica of it in every other region.
    # (The edge's DNSSEC signing key is not the data layer's.)
    (key,) = [k for k in run.of_type(KEY) if k.name.startswith("data-")]
    assert key.region == primary
    assert key.inputs["multiRegion"] is True and key.inputs["enableKeyRotation"] is True
    assert sorted(str(r.region) for r in run.of_type(REPLICA_KEY)) == sorted(secondaries)
    for replica in run.of_type(REPLICA_KEY):
        assert replica.inputs["primaryKeyArn"].startswith(f"arn:aws:kms:{primary}:")

    # Buckets: assets, uploads and logs in every region, each with all its parts.
    for region in regions:
        for role in ("assets", "uploads", "logs"):
            ident = bucket_id(run, region, role)
            for part in BUCKET_PARTS:
                attached = [r for r in run.of_type(part) if r.inputs.get("bucket") == ident]
                assert len(attached) == 1, f"{part} missing for {region} {role}"
                assert attached[0].region == region
        assert len(in_region(run, BUCKET, region)) >= 3

    # Replication: every region's assets bucket (each cell publishes into its own) to every
    # other's, with the destination's key, from the source's region.
    for source in regions:
        replications = assets_replications(run, source)
        others = [r for r in regions if r != source]
        if not others:
            assert replications == []
            continue
        (replication,) = replications
        assert replication.region == source
        destinations = {rule["destination"]["bucket"]: rule for rule in replication.inputs["rules"]}
        assert sorted(destinations) == sorted(
            f"arn:aws:s3:::{bucket_id(run, r, 'assets')}" for r in others
        )
        for region in others:
            rule = destinations[f"arn:aws:s3:::{bucket_id(run, region, 'assets')}"]
            replica_key = rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"]
            assert replica_key.startswith(f"arn:aws:kms:{region}:")
            assert rule["filter"]["prefix"] == "assets/"

    # DynamoDB: every global table in the primary with a replica in every secondary, encrypted
    # with that region's key; an idempotency table in every region, never replicated.
    for schema in GLOBAL_TABLES:
        (table,) = [
            t for t in run.of_type(TABLE) if t.name == f"data-{primary}-{schema.logical_name}"
        ]
        replicas = {r["regionName"]: r for r in table.inputs.get("replicas", [])}
        assert sorted(replicas) == sorted(secondaries)
        for region, replica in replicas.items():
            assert replica["kmsKeyArn"].startswith(f"arn:aws:kms:{region}:")
            assert replica["pointInTimeRecovery"] is True
    for schema in REGIONAL_TABLES:
        for region in regions:
            table = run.named(f"data-{region}-{schema.logical_name}")
            assert table.region == region and not table.inputs.get("replicas")
    for table in run.of_type(TABLE):
        assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
        assert table.inputs["pointInTimeRecovery"]["enabled"] is True
        assert table.inputs["serverSideEncryption"]["enabled"] is True
        assert table.inputs["streamViewType"] == "NEW_AND_OLD_IMAGES"
    assert len(run.of_type(TABLE)) == len(GLOBAL_TABLES) + len(REGIONAL_TABLES) * len(regions)

    # Aurora: one global cluster, a cluster per region on that region's isolated subnets; the
    # secondaries wait for the primary's writer instance.
    clusters = {str(c.region): c for c in run.of_type(CLUSTER)}
    assert sorted(clusters) == sorted(regions)
    primary_instances = {
        r.urn for r in run.of_type(tokens.RDS_CLUSTER_INSTANCE) if r.region == primary
    }
    for region, cluster in clusters.items():
        assert cluster.inputs["storageEncrypted"] is True
        assert cluster.inputs["kmsKeyId"].startswith(f"arn:aws:kms:{region}:")
        assert cluster.inputs["iamDatabaseAuthenticationEnabled"] is True
        assert cluster.inputs["enabledCloudwatchLogsExports"] == ["postgresql"]
        assert cluster.inputs["globalClusterIdentifier"]
        if region == primary:
            assert cluster.inputs["masterUsername"] not in ("postgres", "admin")
        else:
            assert primary_instances & set(cluster.dependencies)
            assert "replicationSourceIdentifier" in cluster.ignore_changes
            assert "masterUsername" not in cluster.inputs
    for group in run.of_type(tokens.RDS_SUBNET_GROUP):
        assert all(
            s.startswith(f"subnet-isolated-{group.region}") for s in group.inputs["subnetIds"]
        )


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_register_the_whole_data_layer(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    regions = run.outputs["regions"]
    assert len(regions) == (3 if stack == "prod" else 2)
    assert_complete_data_layer(run, regions)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(regions=st.lists(st.sampled_from(sorted(REGIONS)), min_size=1, max_size=6, unique=True))
def test_generated_region_lists(program: ProgramFactory, regions: list[str]) -> None:
    run = program("dev", {"regions": regions})
    assert run.outputs["regions"] == regions
    assert_complete_data_layer(run, regions)


def test_prod_settings(program: ProgramFactory) -> None:
    run = program("prod")
    for cluster in run.of_type(CLUSTER):
        assert cluster.inputs["deletionProtection"] is True
        assert cluster.inputs["backupRetentionPeriod"] == 35
        assert cluster.inputs["serverlessv2ScalingConfiguration"]["minCapacity"] == 1
    for table in run.of_type(TABLE):
        assert table.inputs["deletionProtectionEnabled"] is True
    for vpc in run.of_type(tokens.AWSX_VPC):
        assert vpc.inputs["natGateways"]["strategy"] == "Single"  # natGateways=per-az: OnePerAz
        assert vpc.inputs["numberOfAvailabilityZones"] == 3
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        (replication,) = assets_replications(run, region)
        assert all(
            r["destination"]["replicationTime"]["status"] == "Enabled"
            for r in replication.inputs["rules"]
        )


def test_dev_settings(program: ProgramFactory) -> None:
    run = program("dev")
    for cluster in run.of_type(CLUSTER):
        assert cluster.inputs["deletionProtection"] is False
        assert cluster.inputs["backupRetentionPeriod"] == 1
        assert cluster.inputs["serverlessv2ScalingConfiguration"]["minCapacity"] == 0.5
    for vpc in run.of_type(tokens.AWSX_VPC):
        assert vpc.inputs["natGateways"]["strategy"] == "Single"
        assert vpc.inputs["numberOfAvailabilityZones"] == 2


def test_table_key_schemas_come_from_the_shared_module(program: ProgramFactory) -> None:
    run = program("dev")
    for schema in ALL_TABLES:
        table = next(t for t in run.of_type(TABLE) if t.name.endswith(f"-{schema.logical_name}"))
        assert table.inputs["hashKey"] == schema.hash_key.name
        assert table.inputs.get("rangeKey") == (schema.range_key.name if schema.range_key else None)
        if schema.ttl_attribute:
            assert table.inputs["ttl"] == {"attributeName": schema.ttl_attribute, "enabled": True}


def test_the_catalog_table_has_the_listing_indexes_of_the_shared_schema(
    program: ProgramFactory,
) -> None:
    run = program("dev")
    table = next(t for t in run.of_type(TABLE) if t.name.endswith("-catalog"))
    indexes = {i["name"]: i for i in table.inputs["globalSecondaryIndexes"]}
    assert indexes == {
        "by-status": {
            "name": "by-status",
            "keySchemas": [
                {"attributeName": "status", "keyType": "HASH"},
                {"attributeName": "updated_at", "keyType": "RANGE"},
            ],
            "projectionType": "ALL",
        },
        "by-status-category": {
            "name": "by-status-category",
            "keySchemas": [
                {"attributeName": "status_category", "keyType": "HASH"},
                {"attributeName": "updated_at", "keyType": "RANGE"},
            ],
            "projectionType": "ALL",
        },
        "by-seller": {
            "name": "by-seller",
            "keySchemas": [
                {"attributeName": "seller", "keyType": "HASH"},
                {"attributeName": "updated_at", "keyType": "RANGE"},
            ],
            "projectionType": "ALL",
        },
    }
    defined = {a["name"]: a["type"] for a in table.inputs["attributes"]}
    assert defined == {
        "sku": "S",
        "status": "S",
        "updated_at": "S",
        "status_category": "S",
        "seller": "S",
    }


def test_the_uploads_bucket_aborts_incomplete_multipart_uploads(program: ProgramFactory) -> None:
    """Browser uploads that are never completed (a closed tab) would be billed forever."""
    run = program("dev")
    for region in ("us-east-1", "eu-west-1"):
        (lifecycle,) = [
            r
            for r in run.of_type(tokens.BUCKET_LIFECYCLE)
            if r.inputs["bucket"] == bucket_id(run, region, "uploads")
        ]
        rules = {rule["id"]: rule for rule in lifecycle.inputs["rules"]}
        assert rules["abort-incomplete-multipart"]["abortIncompleteMultipartUpload"] == {
            "daysAfterInitiation": 7
        }
        assert rules["abort-incomplete-multipart"]["filter"] == {"prefix": ""}


def test_browsers_may_put_model_parts_to_the_uploads_bucket_and_nothing_else(
    program: ProgramFactory,
) -> None:
    run = program("dev")
    cors = {r.inputs["bucket"]: r for r in run.of_type(tokens.BUCKET_CORS)}
    for region in ("us-east-1", "eu-west-1"):
        (rule,) = cors.pop(bucket_id(run, region, "uploads")).inputs["corsRules"]
        assert rule["allowedMethods"] == ["PUT"]
        assert rule["exposeHeaders"] == ["ETag"]
    assert cors == {}  # no other bucket answers browsers


def test_lifecycle_of_each_bucket(program: ProgramFactory) -> None:
    run = program("dev")
    lifecycles = {
        r.inputs["bucket"]: {rule["id"]: rule for rule in r.inputs["rules"]}
        for r in run.of_type(tokens.BUCKET_LIFECYCLE)
    }
    assets = lifecycles[bucket_id(run, "us-east-1", "assets")]
    assert assets["abort-incomplete-multipart"]["abortIncompleteMultipartUpload"] == {
        "daysAfterInitiation": 7
    }
    assert (
        assets["current-to-intelligent-tiering"]["transitions"][0]["storageClass"]
        == "INTELLIGENT_TIERING"
    )
    assert assets["noncurrent-versions"]["noncurrentVersionTransitions"][0] == {
        "noncurrentDays": 30,
        "storageClass": "GLACIER",
    }
    assert assets["noncurrent-versions"]["noncurrentVersionExpiration"] == {"noncurrentDays": 365}
    assert assets["discontinued-to-deep-archive"]["filter"] == {"prefix": "discontinued/"}
    uploads = lifecycles[bucket_id(run, "us-east-1", "uploads")]
    assert uploads["expire-current"]["expiration"] == {"days": 30}
    assert "current-to-intelligent-tiering" not in uploads


def test_bucket_encryption_and_tls_policies(program: ProgramFactory) -> None:
    run = program("dev")
    encryption = {r.inputs["bucket"]: r.inputs["rules"][0] for r in run.of_type(tokens.BUCKET_SSE)}
    for region in ("us-east-1", "eu-west-1"):
        for role in ("assets", "uploads"):
            rule = encryption[bucket_id(run, region, role)]
            default = rule["applyServerSideEncryptionByDefault"]
            assert default["sseAlgorithm"] == "aws:kms" and rule["bucketKeyEnabled"] is True
            assert default["kmsMasterKeyId"].startswith(f"arn:aws:kms:{region}:")
        # ALB and S3 access logs can only be delivered to SSE-S3 buckets.
        logs = encryption[bucket_id(run, region, "logs")]
        assert logs["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    import json

    for policy in run.of_type(tokens.BUCKET_POLICY):
        statements = json.loads(policy.inputs["policy"])["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        )


def test_an_index_declared_with_the_deprecated_hash_key_fails_the_test_suite() -> None:
    """pyproject.toml turns pulumi-aws's deprecation of an index's hash_key/range_key into an
    error, so a table index written the old way cannot come back unnoticed."""
    with pytest.raises(DeprecationWarning, match="hash_key is deprecated"):
        aws.dynamodb.TableGlobalSecondaryIndexArgs(
            name="by-anything", hash_key="anything", projection_type="ALL"
        )
