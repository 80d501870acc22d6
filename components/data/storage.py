"""S3 per region: assets (replicated both ways), uploads (raw models), access logs.

Each cell publishes assets into its own region's bucket, and every assets bucket replicates
to every other with the destination's key (and Replication Time Control in prod), so every
bucket holds every content-hashed key and CloudFront's origin group can fail over to any.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.buckets import LifecycleRules, SecureBucket, kms_replication_rule, secure_bucket
from components.naming import regional
from components.options import child
from handlers.shared import storage

ACCESS_LOG_EXPIRY_DAYS = 400


@dataclass(frozen=True)
class RegionBuckets:
    assets: SecureBucket
    uploads: SecureBucket
    logs: SecureBucket


def _log_bucket_statements(
    logs: SecureBucket, region: str, account_id: pulumi.Output[str]
) -> list[iam.Statement]:
    """Who may deliver logs into a region's log bucket: S3 server access logging, the ALB
    (through the region's Elastic Load Balancing account) and CloudWatch log delivery
    (CloudFront standard logging v2), each only for this account."""
    elb = aws.elb.get_service_account_output(
        region=region, opts=pulumi.InvokeOutputOptions(parent=logs.parent)
    )
    same_account = {"StringEquals": {"aws:SourceAccount": account_id}}
    return [
        {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": iam.objects(logs.arn, "s3/"),
            "Condition": same_account,
        },
        {
            "Sid": "AlbAccessLogs",
            "Effect": "Allow",
            "Principal": {"AWS": elb.arn},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(logs.arn, "/alb/AWSLogs/", account_id, "/*"),
        },
        {
            "Sid": "LogDeliveryWrite",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": iam.objects(logs.arn, "cloudfront/"),
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": account_id,
                    "s3:x-amz-acl": "bucket-owner-full-control",
                }
            },
        },
    ]


def region_buckets(
    parent: pulumi.Resource,
    region: str,
    provider: aws.Provider,
    key_arn: pulumi.Output[str],
    account_id: pulumi.Output[str],
    protect: bool,
    log_retention_days: int,
) -> RegionBuckets:
    def make(role: str, **kwargs: object) -> SecureBucket:
        return secure_bucket(
            regional("data", region, role),
            parent=parent,
            protect=protect,
            provider=provider,
            **kwargs,  # type: ignore[arg-type]
        )

    # Object Lock without a default retention (S3 access logging refuses targets with one):
    # log objects cannot be overwritten, and a retention can be set per object.
    logs = make(
        "logs",
        purpose="access-logs",
        kms_key_arn=None,
        object_lock=True,
        lifecycle=LifecycleRules(
            intelligent_tiering=False,
            noncurrent_to_glacier_days=None,
            noncurrent_expiry_days=30,
            expire_current_days=max(log_retention_days, ACCESS_LOG_EXPIRY_DAYS),
        ),
    )
    logs.attach_policy(_log_bucket_statements(logs, region, account_id))
    assets = make(
        "assets",
        purpose="assets",
        kms_key_arn=key_arn,
        access_log_bucket=logs,
        lifecycle=LifecycleRules(deep_archive_prefix=storage.DISCONTINUED_PREFIX),
    )
    uploads = make(
        "uploads",
        purpose="uploads",
        kms_key_arn=key_arn,
        access_log_bucket=logs,
        lifecycle=LifecycleRules(
            intelligent_tiering=False,
            noncurrent_to_glacier_days=None,
            noncurrent_expiry_days=storage.RAW_UPLOAD_EXPIRY_DAYS,
            expire_current_days=storage.RAW_UPLOAD_EXPIRY_DAYS,
        ),
    )
    uploads.attach_policy()
    # Browsers PUT model parts straight to this bucket with presigned URLs (the URL is the
    # grant, so any origin may send); the part's ETag is readable, though the API completes
    # the upload from ListParts.
    aws.s3.BucketCorsConfiguration(
        regional("data", region, "uploads-cors"),
        bucket=uploads.id,
        cors_rules=[
            aws.s3.BucketCorsConfigurationCorsRuleArgs(
                allowed_methods=["PUT"],
                allowed_origins=["*"],
                allowed_headers=["content-type", "content-length"],
                expose_headers=["ETag"],
                max_age_seconds=3600,
            )
        ],
        opts=child(parent, provider=provider),
    )
    # Object changes of published assets reach EventBridge (audit, cache warmers); the uploads
    # bucket's one notification configuration belongs to the cell's asset pipeline.
    aws.s3.BucketNotification(
        regional("data", region, "assets-events"),
        bucket=assets.id,
        eventbridge=True,
        opts=child(parent, provider=provider),
    )
    # The assets bucket's policy also lets CloudFront read: GlobalEdge attaches it.
    return RegionBuckets(assets=assets, uploads=uploads, logs=logs)


def replicate_assets(
    parent: pulumi.Resource,
    buckets: Mapping[str, RegionBuckets],
    key_arns: Mapping[str, pulumi.Output[str]],
    providers: Mapping[str, aws.Provider],
    time_control: bool,
) -> dict[str, aws.s3.BucketReplicationConfig]:
    """Every region's assets bucket replicates assets/ to every other's, re-encrypting with
    the destination region's key: each cell publishes into its own bucket (no NAT, no
    cross-region write, publishing goes on while another region is down) and every bucket ends
    up with every asset. Replicas are never replicated again (S3 replicates only objects it did
    not create by replication: "What does Amazon S3 replicate?", S3 User Guide), so the mesh has
    no loops. Keys are content-hashed: two regions never write different bytes under one asset
    key; a SKU's manifest.json is last-writer-wins, each version complete. Empty for a
    single-region stack."""
    configs = {}
    for source_region, source_buckets in buckets.items():
        others = [r for r in buckets if r != source_region]
        if others:
            configs[source_region] = _replicate_from(
                parent,
                source_region,
                source_buckets.assets,
                others,
                buckets,
                key_arns,
                providers[source_region],
                time_control,
            )
    return configs


def _replicate_from(
    parent: pulumi.Resource,
    region: str,
    source: SecureBucket,
    others: list[str],
    buckets: Mapping[str, RegionBuckets],
    key_arns: Mapping[str, pulumi.Output[str]],
    provider: aws.Provider,
    time_control: bool,
) -> aws.s3.BucketReplicationConfig:
    role = aws.iam.Role(
        regional("data", region, "assets-replication-role"),
        assume_role_policy=iam.assume_role("s3.amazonaws.com"),
        opts=child(parent, provider=provider),
    )
    destinations = [buckets[r].assets for r in others]
    policy = aws.iam.RolePolicy(
        regional("data", region, "assets-replication-policy"),
        role=role.id,
        policy=iam.document(
            [
                iam.allow(["s3:GetReplicationConfiguration", "s3:ListBucket"], [source.arn]),
                iam.allow(
                    [
                        "s3:GetObjectVersionForReplication",
                        "s3:GetObjectVersionAcl",
                        "s3:GetObjectVersionTagging",
                    ],
                    [iam.objects(source.arn)],
                ),
                iam.allow(
                    ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                    [iam.objects(d.arn) for d in destinations],
                ),
                iam.allow(["kms:Decrypt"], [key_arns[region]]),
                iam.allow(["kms:Encrypt", "kms:GenerateDataKey"], [key_arns[r] for r in others]),
            ]
        ),
        opts=child(parent, provider=provider),
    )
    rules = [
        kms_replication_rule(
            f"assets-to-{other}",
            storage.ASSETS_PREFIX,
            buckets[other].assets.arn,
            key_arns[other],
            priority=priority,
            time_control=time_control,
        )
        for priority, other in enumerate(others, start=1)
    ]
    return aws.s3.BucketReplicationConfig(
        regional("data", region, "assets-replication"),
        role=role.arn,
        bucket=source.id,
        rules=rules,
        # Replication needs versioning on the source and every destination first.
        opts=child(
            parent,
            provider=provider,
            # ... and the role's permissions, which S3 checks when the configuration is put.
            depends_on=[source.versioning, *[d.versioning for d in destinations], policy],
        ),
    )
