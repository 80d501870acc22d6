"""S3 per region: assets (replicated from the primary), uploads (raw models), access logs.

Assets are published once, into the primary region's bucket, and replicated to every
secondary with that region's key (and Replication Time Control in prod), so CloudFront's
origin group can fail over to a secondary bucket holding the same content-hashed keys.
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
    primary: str,
    buckets: Mapping[str, RegionBuckets],
    key_arns: Mapping[str, pulumi.Output[str]],
    provider: aws.Provider,
    time_control: bool,
) -> aws.s3.BucketReplicationConfig | None:
    """Replicate the primary's assets bucket to every secondary's, re-encrypting with the
    destination region's key. Returns None for a single-region stack."""
    secondaries = [r for r in buckets if r != primary]
    if not secondaries:
        return None
    source = buckets[primary].assets
    role = aws.iam.Role(
        regional("data", primary, "assets-replication-role"),
        assume_role_policy=iam.assume_role("s3.amazonaws.com"),
        opts=child(parent, provider=provider),
    )
    destinations = [buckets[r].assets for r in secondaries]
    aws.iam.RolePolicy(
        regional("data", primary, "assets-replication-policy"),
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
                iam.allow(["kms:Decrypt"], [key_arns[primary]]),
                iam.allow(
                    ["kms:Encrypt", "kms:GenerateDataKey"], [key_arns[r] for r in secondaries]
                ),
            ]
        ),
        opts=child(parent, provider=provider),
    )
    rules = [
        kms_replication_rule(
            f"assets-to-{region}",
            storage.ASSETS_PREFIX,
            buckets[region].assets.arn,
            key_arns[region],
            priority=priority,
            time_control=time_control,
        )
        for priority, region in enumerate(secondaries, start=1)
    ]
    return aws.s3.BucketReplicationConfig(
        regional("data", primary, "assets-replication"),
        role=role.arn,
        bucket=source.id,
        rules=rules,
        # Replication needs versioning on the source and every destination first.
        opts=child(
            parent,
            provider=provider,
            depends_on=[source.versioning, *[d.versioning for d in destinations]],
        ),
    )
