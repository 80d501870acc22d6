"""Secrets Manager: customer managed keys and rotation within 90 days."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import at_least, is_false, is_set, is_unknown, items

rules = RuleSet()
MAX_ROTATION_DAYS = 90


@rules.resource(
    "secrets-cmk",
    "Secrets and their replicas are encrypted with a customer managed key.",
    (t.SECRET,),
    "secret-configure-cmk; CKV_AWS_149",
)
def cmk(resource: Resource) -> Iterator[str]:
    if not is_set(resource.get("kmsKeyId")):
        yield "kmsKeyId is not set (aws/secretsmanager default key)"
    for replica in items(resource.get("replicas")):
        if isinstance(replica, dict) and not is_set(replica.get("kmsKeyId")):
            yield f"replica {replica.get('region')}: kmsKeyId is not set"


def rotates_in_time(rotation: Resource) -> bool:
    if is_false(rotation.get("rotationEnabled")):
        return False
    days = rotation.get("rotationRules.automaticallyAfterDays")
    if is_set(rotation.get("rotationRules.scheduleExpression")):
        return True  # a schedule (rate/cron) is validated by the service to be <= 1000 days
    return is_unknown(days) or (at_least(days, 1) and not at_least(days, MAX_ROTATION_DAYS + 1))


@rules.stack(
    "secrets-rotation",
    f"Every secret rotates automatically at least every {MAX_ROTATION_DAYS} days.",
    "CKV2_AWS_57, CKV_AWS_304; SecretsManager.1, SecretsManager.4",
)
def rotation(stack: Stack) -> Iterator[Violation]:
    rotations = stack.of_type(t.SECRET_ROTATION)
    for secret in stack.of_type(t.SECRET):
        mine = [r for r in rotations if stack.refers(r, "secretId", secret)]
        if not any(rotates_in_time(r) for r in mine):
            yield (
                secret,
                (
                    f"secret {secret.name} needs an aws.secretsmanager.SecretRotation with "
                    f"rotationRules.automaticallyAfterDays <= {MAX_ROTATION_DAYS}"
                ),
            )
