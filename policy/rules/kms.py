"""KMS keys (multi-region primary keys and their replicas)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policy import tokens as t
from policy.model import Resource, RuleSet
from policy.values import is_false, is_set, is_true, is_unknown, public_allow, statements

rules = RuleSet()
KEYS = (t.KMS_KEY, t.KMS_REPLICA_KEY)


@rules.resource(
    "kms-rotation",
    "Symmetric keys rotate automatically (replicas follow their primary).",
    (t.KMS_KEY,),
    "kms-enable-key-rotation; CKV_AWS_7; KMS.4",
)
def rotation(resource: Resource) -> Iterator[str]:
    spec = resource.get("customerMasterKeySpec") or resource.get("keySpec")
    if spec not in (None, "SYMMETRIC_DEFAULT") and not is_unknown(spec):
        return  # asymmetric and HMAC keys cannot rotate
    if not is_true(resource.get("enableKeyRotation")):
        yield "enableKeyRotation is not true"


@rules.resource(
    "kms-key-policy",
    "Keys carry an explicit key policy with no unconditioned '*' principal.",
    KEYS,
    "CKV2_AWS_64, CKV_AWS_33; KMS.5",
)
def key_policy(resource: Resource) -> Iterator[str]:
    policy = resource.get("policy")
    if not is_set(policy):
        yield "no key policy: write one (least privilege, no default account-wide policy)"
    for statement in statements(policy):
        if public_allow(statement):
            yield f"statement {statement.get('Sid', '')!r} allows '*' without kms:CallerAccount"


@rules.resource(
    "kms-no-lockout-bypass",
    "The key policy lockout safety check is never bypassed.",
    KEYS,
    "disallow-bypass-lockout-check",
)
def no_bypass(resource: Resource) -> Iterator[str]:
    value = resource.get("bypassPolicyLockoutSafetyCheck")
    if value is True:
        yield "bypassPolicyLockoutSafetyCheck is true"


@rules.resource(
    "kms-deletion-guard",
    "Keys are enabled, protected from `pulumi destroy` and wait 30 days before deletion.",
    KEYS,
    "KMS.3",
)
def deletion_guard(resource: Resource) -> Iterator[str]:
    if is_false(resource.get("isEnabled")) or is_false(resource.get("enabled")):
        yield "the key is disabled"
    if not resource.protect:
        yield "protect is not set: a destroy would schedule the key for deletion"
    window = resource.get("deletionWindowInDays")
    if is_set(window) and not is_unknown(window) and int(window) < 30:
        yield f"deletionWindowInDays {window}: use 30, the longest window to cancel"


EVENTBRIDGE = "events.amazonaws.com"
# Conditions EventBridge's KMS calls for an encrypted SNS target do not carry.
UNMATCHED_BY_EVENTBRIDGE = ("aws:SourceAccount", "aws:SourceArn")


def _services(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    service = principal.get("Service") if isinstance(principal, Mapping) else None
    return [service] if isinstance(service, str) else [str(s) for s in service or []]


@rules.resource(
    "kms-eventbridge-unconditioned",
    "A key statement for events.amazonaws.com (EventBridge into encrypted SNS topics) has no "
    "aws:SourceAccount or aws:SourceArn condition: EventBridge's KMS calls carry neither, so "
    "deliveries would fail silently (SNS developer guide, encrypted topics).",
    KEYS,
    "shop3d",
)
def eventbridge_unconditioned(resource: Resource) -> Iterator[str]:
    for statement in statements(resource.get("policy")):
        if EVENTBRIDGE not in _services(statement):
            continue
        conditions = statement.get("Condition") or {}
        keys = {k for block in conditions.values() if isinstance(block, dict) for k in block}
        for key in sorted(keys & set(UNMATCHED_BY_EVENTBRIDGE)):
            yield f"statement {statement.get('Sid', '')!r}: drop {key} for {EVENTBRIDGE}"
