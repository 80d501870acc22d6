"""A private S3 bucket the way shop3d makes every bucket: pulumi-aws 7 splits a bucket across
several resources; this module creates them together so none is forgotten.

Every bucket: ownership BucketOwnerEnforced (ACLs off), all four public access blocks,
versioning, default encryption, lifecycle with abort-incomplete-multipart. Data buckets use
SSE-KMS with the region's key and a bucket key; access-log buckets use SSE-S3 because ALB
access logs and S3 server access logs can only be delivered to SSE-S3 buckets.

The bucket policy is left to the caller (`SecureBucket.attach_policy`), because a bucket has
exactly one policy and some statements (CloudFront's OAC read) only exist once the
distribution does; `deny_insecure_transport` is always part of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from components import iam
from components.options import child, stateful
from components.tags import PURPOSE_TAG
from handlers.shared import storage

Purpose = Literal["assets", "uploads", "access-logs", "storefront", "audit-logs"]


@dataclass(frozen=True)
class LifecycleRules:
    """What the lifecycle configuration does for one bucket."""

    intelligent_tiering: bool = True
    noncurrent_to_glacier_days: int | None = storage.NONCURRENT_TO_GLACIER_DAYS
    noncurrent_expiry_days: int | None = storage.NONCURRENT_EXPIRY_DAYS
    expire_current_days: int | None = None
    deep_archive_prefix: str | None = None


@dataclass
class SecureBucket:
    name: str
    purpose: Purpose
    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning
    parent: pulumi.Resource
    provider: pulumi.ProviderResource | None = None
    policy: aws.s3.BucketPolicy | None = None

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.bucket.arn

    @property
    def id(self) -> pulumi.Output[str]:
        return self.bucket.id

    def attach_policy(
        self, statements: Sequence[iam.Statement] = (), parent: pulumi.Resource | None = None
    ) -> aws.s3.BucketPolicy:
        """The bucket's one policy: TLS only, plus the given statements."""
        if self.policy is not None:
            raise RuntimeError(f"{self.name} already has its bucket policy")
        self.policy = aws.s3.BucketPolicy(
            f"{self.name}-policy",
            bucket=self.bucket.id,
            policy=iam.document([iam.deny_insecure_transport(self.bucket.arn), *statements]),
            opts=child(parent or self.parent, provider=self.provider),
        )
        return self.policy


def _lifecycle_rules(rules: LifecycleRules) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    rule = aws.s3.BucketLifecycleConfigurationRuleArgs
    result = [
        rule(
            id="abort-incomplete-multipart",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=storage.ABORT_MULTIPART_DAYS
            ),
        )
    ]
    if rules.intelligent_tiering:
        result.append(
            rule(
                id="current-to-intelligent-tiering",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                transitions=[
                    aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                        days=0, storage_class="INTELLIGENT_TIERING"
                    )
                ],
            )
        )
    if rules.noncurrent_to_glacier_days or rules.noncurrent_expiry_days:
        result.append(
            rule(
                id="noncurrent-versions",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                noncurrent_version_transitions=[
                    aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionTransitionArgs(
                        noncurrent_days=rules.noncurrent_to_glacier_days, storage_class="GLACIER"
                    )
                ]
                if rules.noncurrent_to_glacier_days
                else None,
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=rules.noncurrent_expiry_days
                )
                if rules.noncurrent_expiry_days
                else None,
            )
        )
    if rules.deep_archive_prefix:
        result.append(
            rule(
                id="discontinued-to-deep-archive",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(
                    prefix=rules.deep_archive_prefix
                ),
                transitions=[
                    aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                        days=0, storage_class="DEEP_ARCHIVE"
                    )
                ],
            )
        )
    if rules.expire_current_days:
        result.append(
            rule(
                id="expire-current",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=rules.expire_current_days
                ),
            )
        )
    return result


def kms_replication_rule(
    rule_id: str,
    prefix: str,
    destination_arn: pulumi.Input[str],
    replica_key_arn: pulumi.Input[str],
    priority: int | None = None,
    replicate_deletes: bool = True,
    time_control: bool = False,
) -> aws.s3.BucketReplicationConfigRuleArgs:
    """A replication rule for SSE-KMS objects under `prefix`, re-encrypted with the
    destination region's key; Replication Time Control (15 minutes) when asked."""
    s3 = aws.s3
    fifteen_minutes = 15
    return s3.BucketReplicationConfigRuleArgs(
        id=rule_id,
        priority=priority,
        status="Enabled",
        filter=s3.BucketReplicationConfigRuleFilterArgs(prefix=prefix),
        delete_marker_replication=s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
            status="Enabled" if replicate_deletes else "Disabled"
        ),
        source_selection_criteria=s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
            sse_kms_encrypted_objects=s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                status="Enabled"
            )
        ),
        destination=s3.BucketReplicationConfigRuleDestinationArgs(
            bucket=destination_arn,
            encryption_configuration=s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                replica_kms_key_id=replica_key_arn
            ),
            replication_time=s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                status="Enabled",
                time=s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(
                    minutes=fifteen_minutes
                ),
            )
            if time_control
            else None,
            metrics=s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                status="Enabled",
                event_threshold=s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                    minutes=fifteen_minutes
                ),
            )
            if time_control
            else None,
        ),
    )


def secure_bucket(
    name: str,
    purpose: Purpose,
    parent: pulumi.Resource,
    protect: bool,
    provider: pulumi.ProviderResource | None,
    kms_key_arn: pulumi.Input[str] | None,
    lifecycle: LifecycleRules,
    access_log_bucket: SecureBucket | None = None,
    object_lock: bool = False,
) -> SecureBucket:
    """Create a bucket and the resources that make it private, encrypted and versioned.

    `kms_key_arn=None` means SSE-S3, only for log buckets that AWS services deliver to.
    """
    bucket = aws.s3.Bucket(
        name,
        object_lock_enabled=object_lock or None,
        tags={PURPOSE_TAG: purpose},
        # An unprotected (dev) bucket empties on `pulumi destroy` instead of failing with
        # BucketNotEmpty; a protected one never does (and protect refuses the destroy first).
        force_destroy=not protect,
        opts=stateful(parent, protect, provider=provider),
    )
    opts = child(parent, provider=provider)
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=opts,
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    versioning = aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
            status="Enabled"
        ),
        opts=opts,
    )
    default = (
        aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
        )
        if kms_key_arn is not None
        else aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="AES256"
        )
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default,
                bucket_key_enabled=kms_key_arn is not None,
            )
        ],
        opts=opts,
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=_lifecycle_rules(lifecycle),
        # Lifecycle rules on noncurrent versions need versioning in place first.
        opts=child(parent, provider=provider, depends_on=[versioning]),
    )
    if access_log_bucket is not None:
        aws.s3.BucketLogging(
            f"{name}-access-logging",
            bucket=bucket.id,
            target_bucket=access_log_bucket.id,
            target_prefix=f"s3/{name}/",
            opts=opts,
        )
    return SecureBucket(
        name=name,
        purpose=purpose,
        bucket=bucket,
        versioning=versioning,
        parent=parent,
        provider=provider,
    )
