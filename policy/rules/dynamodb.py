"""DynamoDB (global tables via replicas): PITR, CMK, on-demand, deletion protection, backups."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import is_set, is_true, items

rules = RuleSet()
TABLE = (t.TABLE,)


def replicas(resource: Resource) -> list[dict[str, object]]:
    return [r for r in items(resource.get("replicas")) if isinstance(r, dict)]


@rules.resource(
    "dynamodb-point-in-time-recovery",
    "Point-in-time recovery is on for the table and every replica.",
    TABLE,
    "CKV_AWS_28, CKV_AWS_165; DynamoDB.2",
)
def pitr(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("pointInTimeRecovery.enabled")):
        yield "pointInTimeRecovery.enabled is not true"
    for replica in replicas(resource):
        if not is_true(replica.get("pointInTimeRecovery")):
            yield f"replica {replica.get('regionName')}: set pointInTimeRecovery = true"


@rules.resource(
    "dynamodb-kms-cmk",
    "The table and every replica are encrypted with a customer managed KMS key.",
    TABLE,
    "CKV_AWS_119",
)
def kms_cmk(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("serverSideEncryption.enabled")):
        yield "serverSideEncryption.enabled is not true (AWS owned key)"
    elif not is_set(resource.get("serverSideEncryption.kmsKeyArn")):
        yield "serverSideEncryption.kmsKeyArn is not set: use the customer managed key"
    for replica in replicas(resource):
        if not is_set(replica.get("kmsKeyArn")):
            yield f"replica {replica.get('regionName')}: set kmsKeyArn to that region's key"


@rules.resource(
    "dynamodb-on-demand",
    "Tables bill PAY_PER_REQUEST so spikes never throttle on provisioned capacity.",
    TABLE,
    "DynamoDB.1",
)
def on_demand(resource: Resource) -> Iterator[str]:
    mode = resource.get("billingMode")
    if mode != "PAY_PER_REQUEST":
        yield f"billingMode {mode!r}: use PAY_PER_REQUEST (or add autoscaling)"


@rules.resource(
    "dynamodb-deletion-protection",
    "Deletion protection is enabled.",
    TABLE,
    "DynamoDB.6",
)
def deletion_protection(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("deletionProtectionEnabled")):
        yield "deletionProtectionEnabled is not true"


def covered_by_backup(stack: Stack, resource: Resource) -> bool:
    """An AWS Backup selection names the resource, or selects it by one of its tags."""
    tags = resource.get("tags") or {}
    for selection in stack.of_type(t.BACKUP_SELECTION):
        if stack.refers(selection, "resources", resource):
            return True
        if "*" in items(selection.get("resources")):
            return True
        for tag in items(selection.get("selectionTags")):
            if isinstance(tag, dict) and tags.get(tag.get("key")) == tag.get("value"):
                return True
    return False


@rules.stack(
    "dynamodb-backup-plan",
    "Every table is in an AWS Backup plan (by ARN or by tag selection).",
    "CKV2_AWS_16; DynamoDB.4",
)
def backup_plan(stack: Stack) -> Iterator[Violation]:
    for table in stack.of_type(t.TABLE):
        if not covered_by_backup(stack, table):
            yield table, f"table {table.name} is in no aws.backup.Selection"
