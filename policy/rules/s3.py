"""S3: a bucket is split across resources in pulumi-aws 7, so most rules join them by bucket."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import (
    at_least,
    denies_insecure_transport,
    is_set,
    is_true,
    is_unknown,
    items,
    public_allow,
    statements,
)

rules = RuleSet()

PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GRANTEES = ("acs.amazonaws.com/groups/global/AllUsers", "AuthenticatedUsers")
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


def attached(stack: Stack, bucket: Resource, *types: str) -> list[Resource]:
    """The sub-resources of `types` configuring `bucket` (their `bucket` input points at it)."""
    return stack.referrers(bucket, "bucket", *types)


def alb_log_buckets(stack: Stack) -> list[Resource]:
    lbs = stack.of_type(*t.LOAD_BALANCERS)
    return [
        b
        for b in stack.of_type(t.BUCKET)
        if any(stack.refers(lb, "accessLogs.bucket", b) for lb in lbs)
    ]


def log_buckets(stack: Stack) -> list[Resource]:
    """Buckets that receive access logs (S3 server, ALB, CloudFront): they are the log sink."""
    sinks = [
        (t.BUCKET_LOGGING, "targetBucket"),
        (t.DISTRIBUTION, "loggingConfig.bucket"),
        (t.LOAD_BALANCERS[0], "accessLogs.bucket"),
        (t.LOAD_BALANCERS[1], "accessLogs.bucket"),
        (t.TRAIL, "s3BucketName"),
        (t.FLOW_LOG, "logDestination"),
        (t.WEB_ACL_LOGGING, "logDestinationConfigs"),
        (t.LOG_DELIVERY_DESTINATION, "deliveryDestinationConfiguration.destinationResourceArn"),
    ]
    return [
        bucket
        for bucket in stack.of_type(t.BUCKET)
        if any(stack.referrers(bucket, prop, kind) for kind, prop in sinks)
    ]


TRANSIENT_MAX_DAYS = 30


def is_transient(stack: Stack, bucket: Resource) -> bool:
    """Every current object expires within TRANSIENT_MAX_DAYS (raw uploads): nothing durable."""
    return any(
        rule.get("status") == "Enabled"
        and not (rule.get("filter") or {}).get("prefix")
        and not (rule.get("filter") or {}).get("and")
        and at_least((rule.get("expiration") or {}).get("days"), 1)
        and not at_least((rule.get("expiration") or {}).get("days"), TRANSIENT_MAX_DAYS + 1)
        for config in attached(stack, bucket, t.BUCKET_LIFECYCLE)
        for rule in items(config.get("rules"))
        if isinstance(rule, dict)
    )


# Buckets whose whole content is a build the program uploads into a bucket in each of two
# regions on every deploy (the storefront): the copy in another region exists by deployment.
DEPLOYED_PURPOSES = frozenset({"storefront"})
PURPOSE_TAG = "shop3d:purpose"


def has_deployed_copy(stack: Stack, bucket: Resource) -> bool:
    purpose = (bucket.get("tags") or {}).get(PURPOSE_TAG)
    return purpose in DEPLOYED_PURPOSES and any(
        (other.get("tags") or {}).get(PURPOSE_TAG) == purpose and other.region != bucket.region
        for other in stack.of_type(t.BUCKET)
    )


def data_buckets(stack: Stack) -> list[Resource]:
    logs = {b.urn for b in log_buckets(stack)}
    return [b for b in stack.of_type(t.BUCKET) if b.urn not in logs]


def missing(
    stack: Stack, buckets: Iterable[Resource], kind: str, what: str, ok: object = None
) -> Iterator[Violation]:
    """A violation per bucket with no `kind` sub-resource satisfying `ok` (any, if None)."""
    for bucket in buckets:
        found = attached(stack, bucket, kind)
        if not any(ok(r) for r in found) if callable(ok) else not found:
            yield bucket, f"bucket {bucket.name} needs {what}"


@rules.stack(
    "s3-public-access-block",
    "Every bucket has a BucketPublicAccessBlock with all four settings true.",
    "disallow-public-read; CKV2_AWS_6, CKV_AWS_53-56; S3.1, S3.8",
)
def public_access_block(stack: Stack) -> Iterator[Violation]:
    settings = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    yield from missing(
        stack,
        stack.of_type(t.BUCKET),
        t.BUCKET_PUBLIC_ACCESS_BLOCK,
        f"a BucketPublicAccessBlock with {', '.join(settings)} all true",
        lambda r: all(is_true(r.get(s)) for s in settings),
    )


@rules.stack(
    "s3-acls-disabled",
    "Every bucket has BucketOwnershipControls with objectOwnership BucketOwnerEnforced.",
    "CKV2_AWS_65; S3.12",
)
def acls_disabled(stack: Stack) -> Iterator[Violation]:
    yield from missing(
        stack,
        stack.of_type(t.BUCKET),
        t.BUCKET_OWNERSHIP,
        "BucketOwnershipControls with rule.objectOwnership = BucketOwnerEnforced (ACLs off)",
        lambda r: (
            r.get("rule.objectOwnership") == "BucketOwnerEnforced"
            or is_unknown(r.get("rule.objectOwnership"))
        ),
    )


@rules.resource(
    "s3-no-public-acl",
    "No bucket or BucketAcl grants access to everyone or to any authenticated AWS user.",
    (t.BUCKET, t.BUCKET_ACL),
    "disallow-public-read; CKV_AWS_20, CKV_AWS_57; S3.2, S3.3",
)
def no_public_acl(resource: Resource) -> Iterator[str]:
    if resource.get("acl") in PUBLIC_CANNED_ACLS:
        yield f"acl {resource.get('acl')!r} is public: use private and BucketOwnerEnforced"
    grants = items(resource.get("grants")) + items(resource.get("accessControlPolicy.grants"))
    for grant in grants:
        uri = str(grant.get("uri") or grant.get("grantee", {}).get("uri") or "")
        if any(group in uri for group in PUBLIC_GRANTEES):
            yield f"a grant to {uri} makes the bucket public: remove it"


@rules.resource(
    "s3-policy-no-public-principal",
    "A bucket policy never allows the '*' principal unless a condition pins the caller.",
    (t.BUCKET_POLICY,),
    "CKV_AWS_70; S3.6",
)
def policy_no_public_principal(resource: Resource) -> Iterator[str]:
    for statement in statements(resource.get("policy")):
        if public_allow(statement):
            yield (
                f"statement {statement.get('Sid', '')!r} allows Principal '*' without an "
                "aws:SourceArn/SourceAccount/PrincipalOrgID condition"
            )


@rules.stack(
    "s3-tls-only",
    "Every bucket's policy denies requests with aws:SecureTransport = false.",
    "CKV_AWS_379; S3.5",
)
def tls_only(stack: Stack) -> Iterator[Violation]:
    yield from missing(
        stack,
        stack.of_type(t.BUCKET),
        t.BUCKET_POLICY,
        "a BucketPolicy with a Deny statement on Bool aws:SecureTransport = false",
        lambda r: (
            is_unknown(r.get("policy"))
            or any(denies_insecure_transport(s) for s in statements(r.get("policy")))
        ),
    )


def _sse_rules(resource: Resource) -> list[dict[str, object]]:
    return [rule for rule in items(resource.get("rules")) if isinstance(rule, dict)]


@rules.stack(
    "s3-sse-kms-cmk",
    "Default encryption is SSE-KMS with a customer managed key (ALB log buckets: SSE-S3, "
    "the only encryption ALB log delivery supports).",
    "enable-sse, sse-kms, sse-cmk; CKV_AWS_19, CKV_AWS_145; S3.17",
)
def sse_kms_cmk(stack: Stack) -> Iterator[Violation]:
    alb_logs = {b.urn for b in alb_log_buckets(stack)}

    def ok(resource: Resource, bucket: Resource) -> bool:
        for rule in _sse_rules(resource):
            default = rule.get("applyServerSideEncryptionByDefault") or {}
            assert isinstance(default, dict)
            algorithm = default.get("sseAlgorithm")
            if bucket.urn in alb_logs and algorithm == "AES256":
                return True
            if algorithm in KMS_ALGORITHMS and is_set(default.get("kmsMasterKeyId")):
                return True
        return False

    for bucket in stack.of_type(t.BUCKET):
        if not any(ok(r, bucket) for r in attached(stack, bucket, t.BUCKET_SSE)):
            yield (
                bucket,
                (
                    f"bucket {bucket.name} needs a BucketServerSideEncryptionConfiguration with "
                    "sseAlgorithm aws:kms and kmsMasterKeyId set to a customer managed key"
                ),
            )


@rules.stack(
    "s3-bucket-key",
    "SSE-KMS buckets enable the S3 Bucket Key (fewer KMS calls, lower cost).",
    "bucket-key; CKV_AWS_145",
)
def bucket_key(stack: Stack) -> Iterator[Violation]:
    for sse in stack.of_type(t.BUCKET_SSE):
        for rule in _sse_rules(sse):
            default = rule.get("applyServerSideEncryptionByDefault") or {}
            kms = isinstance(default, dict) and default.get("sseAlgorithm") in KMS_ALGORITHMS
            if kms and not is_true(rule.get("bucketKeyEnabled")):
                yield sse, f"{sse.name}: set bucketKeyEnabled = true on the aws:kms rule"


@rules.stack("s3-versioning", "Every bucket has versioning Enabled.", "CKV_AWS_21; S3.14")
def versioning(stack: Stack) -> Iterator[Violation]:
    yield from missing(
        stack,
        stack.of_type(t.BUCKET),
        t.BUCKET_VERSIONING,
        "a BucketVersioning with versioningConfiguration.status = Enabled",
        lambda r: (
            r.get("versioningConfiguration.status") == "Enabled"
            or is_unknown(r.get("versioningConfiguration.status"))
        ),
    )


@rules.stack(
    "s3-replication",
    "Every durable data bucket (not a log sink, not expiring all objects within "
    f"{TRANSIENT_MAX_DAYS} days) replicates to another region, is a replica, or is a deployed "
    "build the program writes into a bucket in another region too (the storefront).",
    "enable/configure-replication; CKV_AWS_144; S3.7",
)
def replication(stack: Stack) -> Iterator[Violation]:
    configs = stack.of_type(t.BUCKET_REPLICATION)
    for bucket in data_buckets(stack):
        if is_transient(stack, bucket) or has_deployed_copy(stack, bucket):
            continue
        source = [c for c in configs if stack.refers(c, "bucket", bucket)]
        enabled = any(r.get("status") == "Enabled" for c in source for r in items(c.get("rules")))
        replica = any(stack.refers(c, "rules.destination.bucket", bucket) for c in configs)
        if not (enabled or replica):
            yield (
                bucket,
                (
                    f"bucket {bucket.name} needs a BucketReplicationConfig with an Enabled rule "
                    "to a bucket in another region (or to be such a destination)"
                ),
            )


@rules.stack(
    "s3-access-logging",
    "Every data bucket logs server access to a log bucket.",
    "CKV_AWS_18; S3.9",
)
def access_logging(stack: Stack) -> Iterator[Violation]:
    yield from missing(
        stack,
        data_buckets(stack),
        t.BUCKET_LOGGING,
        "a BucketLogging with a targetBucket",
        lambda r: is_set(r.get("targetBucket")),
    )


@rules.stack(
    "s3-lifecycle-abort-multipart",
    "Every bucket has a lifecycle configuration with an Enabled rule aborting incomplete "
    "multipart uploads.",
    "CKV2_AWS_61, CKV_AWS_300; S3.13, S3.10",
)
def lifecycle(stack: Stack) -> Iterator[Violation]:
    def aborts(resource: Resource) -> bool:
        return any(
            rule.get("status") == "Enabled"
            and at_least(
                (rule.get("abortIncompleteMultipartUpload") or {}).get("daysAfterInitiation"), 1
            )
            for rule in items(resource.get("rules"))
            if isinstance(rule, dict)
        )

    yield from missing(
        stack,
        stack.of_type(t.BUCKET),
        t.BUCKET_LIFECYCLE,
        "a BucketLifecycleConfiguration with an Enabled abortIncompleteMultipartUpload rule",
        aborts,
    )


@rules.stack(
    "s3-event-notifications",
    "Every data bucket sends event notifications (to SQS, Lambda, SNS or EventBridge).",
    "CKV2_AWS_62; S3.11",
)
def event_notifications(stack: Stack) -> Iterator[Violation]:
    yield from missing(
        stack,
        data_buckets(stack),
        t.BUCKET_NOTIFICATION,
        "a BucketNotification (queues, lambdaFunctions, topics or eventbridge = true)",
        lambda r: (
            any(is_set(r.get(k)) for k in ("queues", "lambdaFunctions", "topics"))
            or is_true(r.get("eventbridge"))
        ),
    )


@rules.stack(
    "s3-log-bucket-object-lock",
    "Log buckets have Object Lock enabled so logs cannot be altered or deleted early.",
    "CKV_AWS_143; S3.15",
)
def log_bucket_object_lock(stack: Stack) -> Iterator[Violation]:
    for bucket in log_buckets(stack):
        if not is_true(bucket.get("objectLockEnabled")):
            yield bucket, f"log bucket {bucket.name} needs objectLockEnabled = true"
