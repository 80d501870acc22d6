"""IAM and resource policy documents, built as plain dicts and serialised once.

Statements name specific resources; the only `"Resource": "*"` allowed is inside a KMS key
policy, where it means "this key".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pulumi

Statement = dict[str, Any]


def document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """A policy document as JSON; statements may hold Outputs (ARNs)."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def assume_role(*services: str, conditions: dict[str, Any] | None = None) -> str:
    """Trust policy letting AWS services assume a role."""
    import json

    statement: Statement = {
        "Effect": "Allow",
        "Principal": {"Service": list(services) if len(services) > 1 else services[0]},
        "Action": "sts:AssumeRole",
    }
    if conditions:
        statement["Condition"] = conditions
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def allow(
    actions: Sequence[str],
    resources: Sequence[Any],
    sid: str | None = None,
    conditions: dict[str, Any] | None = None,
) -> Statement:
    statement: Statement = {"Effect": "Allow", "Action": list(actions), "Resource": list(resources)}
    if sid:
        statement["Sid"] = sid
    if conditions:
        statement["Condition"] = conditions
    return statement


def deny_insecure_transport(bucket_arn: pulumi.Input[str]) -> Statement:
    """Refuse every request to the bucket that does not use TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def objects(bucket_arn: pulumi.Input[str], prefix: str = "") -> pulumi.Output[str]:
    """The ARN pattern of a bucket's objects, optionally under a prefix."""
    return pulumi.Output.concat(bucket_arn, "/", prefix, "*")


# Source: Amazon SNS developer guide, "Enable compatibility between event sources from AWS
# services and encrypted topics" (key policy for events.amazonaws.com).
EVENTBRIDGE_TO_TOPICS_SID: Final = "EventBridgePublishesToEncryptedTopics"


def kms_key_policy(account_id: str, region: str) -> pulumi.Output[str]:
    """Key policy: the account administers the key through IAM; named AWS services may use it
    for this account only. No `*` principal, no lockout bypass."""
    account = {"aws:SourceAccount": account_id}
    use = [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
    ]
    return document(
        [
            {
                "Sid": "AccountAdministersThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogs",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": use,
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account_id}:*"
                    }
                },
            },
            {
                # S3 event notifications into encrypted SQS queues, CloudFront OAC reads of
                # SSE-KMS objects, CloudWatch alarms into encrypted SNS topics.
                "Sid": "AwsServicesOfThisAccount",
                "Effect": "Allow",
                "Principal": {
                    "Service": [
                        "s3.amazonaws.com",
                        "cloudfront.amazonaws.com",
                        "cloudwatch.amazonaws.com",
                        "delivery.logs.amazonaws.com",
                    ]
                },
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": account},
            },
            {
                # EventBridge rules (GuardDuty findings) into encrypted SNS topics: the
                # statement SNS's documentation prescribes. EventBridge's KMS calls carry no
                # aws:SourceAccount, so that condition would drop every delivery silently.
                "Sid": EVENTBRIDGE_TO_TOPICS_SID,
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
            {
                # CloudTrail encrypts log files of this account's trails only (its documented
                # encryption-context condition); reading them goes through IAM.
                "Sid": "CloudTrailEncryptsLogs",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": account,
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account_id}:trail/*"
                    },
                },
            },
            {
                "Sid": "CloudTrailDescribesKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": account},
            },
        ]
    )


def service_may(
    service: str,
    actions: str | Sequence[str],
    resource: pulumi.Input[str],
    conditions: dict[str, Any],
    sid: str,
) -> Statement:
    """A resource policy statement letting an AWS service principal act, under `conditions`
    (which name the source: a service principal without them is any account's)."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": actions if isinstance(actions, str) else list(actions),
        "Resource": resource,
        "Condition": conditions,
    }
