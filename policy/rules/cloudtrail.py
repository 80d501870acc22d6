"""CloudTrail: one multi-region trail, encrypted, validated, mirrored to CloudWatch Logs."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import is_false, is_set, is_true

rules = RuleSet()
TRAIL = (t.TRAIL,)


@rules.stack(
    "cloudtrail-multi-region",
    "The stack has a multi-region trail that is logging.",
    "CKV_AWS_67; CloudTrail.1",
)
def multi_region(stack: Stack) -> Iterator[Violation]:
    trails = stack.of_type(t.TRAIL)
    if not any(is_true(tr.get("isMultiRegionTrail")) for tr in trails):
        yield None, "no aws.cloudtrail.Trail with isMultiRegionTrail = true in the stack"
    for trail in trails:
        if is_false(trail.get("enableLogging")):
            yield trail, f"trail {trail.name}: enableLogging is false"


@rules.resource(
    "cloudtrail-kms",
    "Trail logs are encrypted with a customer managed key.",
    TRAIL,
    "CKV_AWS_35; CloudTrail.2",
)
def kms(resource: Resource) -> Iterator[str]:
    if not is_set(resource.get("kmsKeyId")):
        yield "kmsKeyId is not set"


@rules.resource(
    "cloudtrail-log-validation",
    "Log file integrity validation is on.",
    TRAIL,
    "CKV_AWS_36; CloudTrail.4",
)
def log_validation(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("enableLogFileValidation")):
        yield "enableLogFileValidation is not true"


@rules.resource(
    "cloudtrail-cloudwatch-logs",
    "The trail also delivers to CloudWatch Logs (for metric filters and alarms).",
    TRAIL,
    "CKV2_AWS_10; CloudTrail.5",
)
def cloudwatch(resource: Resource) -> Iterator[str]:
    for prop in ("cloudWatchLogsGroupArn", "cloudWatchLogsRoleArn"):
        if not is_set(resource.get(prop)):
            yield f"{prop} is not set"


@rules.resource(
    "cloudtrail-sns-topic",
    "The trail notifies an SNS topic of each log file delivery.",
    TRAIL,
    "CKV_AWS_252",
)
def sns_topic(resource: Resource) -> Iterator[str]:
    if not is_set(resource.get("snsTopicName")):
        yield "snsTopicName is not set"
