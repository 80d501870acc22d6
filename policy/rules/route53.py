"""Route 53: the shop's hosted zone is signed (DNSSEC) and its queries are logged.

A zone counts as the stack's when one of its records is (the zone itself is created before the
stack by `./shop3d bootstrap-zone`): every such zone id needs signing and a query log."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import is_unknown, statements

rules = RuleSet()
DNSSEC_SERVICE = "dnssec-route53.amazonaws.com"
DNSSEC_KEY_SPEC = "ECC_NIST_P256"


def _zone_ids(stack: Stack) -> list[str]:
    zones = {r.get("zoneId") for r in stack.of_type(t.DNS_RECORD)}
    return sorted(z for z in zones if isinstance(z, str) and not is_unknown(z))


def _for_zone(stack: Stack, zone_id: str, prop: str, *types: str) -> list[Resource]:
    return [r for r in stack.of_type(*types) if r.get(prop) == zone_id]


def _signing_key_violations(stack: Stack, ksk: Resource) -> Iterator[str]:
    key_arn = ksk.get("keyManagementServiceArn")
    keys = [
        k
        for k in stack.of_type(t.KMS_KEY)
        if k.get("arn") == key_arn or stack.refers(ksk, "keyManagementServiceArn", k)
    ]
    if not keys:
        return  # a key outside the stack: Route 53 checked it when the KSK was created
    key = keys[0]
    if key.get("customerMasterKeySpec") != DNSSEC_KEY_SPEC or key.get("keyUsage") != "SIGN_VERIFY":
        yield f"key {key.name} is not an {DNSSEC_KEY_SPEC} SIGN_VERIFY key"
    granted = {
        action
        for statement in statements(key.get("policy"))
        if DNSSEC_SERVICE in str(statement.get("Principal", ""))
        for action in (
            [statement.get("Action")]
            if isinstance(statement.get("Action"), str)
            else list(statement.get("Action") or [])
        )
    }
    missing = sorted({"kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"} - granted)
    if missing:
        yield f"key {key.name}'s policy does not let {DNSSEC_SERVICE} {', '.join(missing)}"


@rules.stack(
    "route53-dnssec",
    "The stack's hosted zone is DNSSEC-signed with an active key-signing key on an "
    "ECC_NIST_P256 SIGN_VERIFY key that Route 53's DNSSEC service may use.",
    "CKV2_AWS_38; Route 53 DNSSEC signing",
)
def dnssec(stack: Stack) -> Iterator[Violation]:
    for zone_id in _zone_ids(stack):
        signing = [
            d
            for d in _for_zone(stack, zone_id, "hostedZoneId", t.HOSTED_ZONE_DNSSEC)
            if d.get("signingStatus") in (None, "SIGNING")
        ]
        ksks = [
            k
            for k in _for_zone(stack, zone_id, "hostedZoneId", t.KEY_SIGNING_KEY)
            if k.get("status") in (None, "ACTIVE")
        ]
        if not signing or not ksks:
            yield (
                None,
                (
                    f"zone {zone_id} is not signed: add an active aws.route53.KeySigningKey and "
                    "aws.route53.HostedZoneDnsSec (shop3d:dnssec)"
                ),
            )
        for ksk in ksks:
            for problem in _signing_key_violations(stack, ksk):
                yield ksk, problem


@rules.stack(
    "route53-query-logging",
    "The stack's hosted zone logs its DNS queries to CloudWatch Logs.",
    "CKV2_AWS_39; Route 53 public DNS query logging",
)
def query_logging(stack: Stack) -> Iterator[Violation]:
    for zone_id in _zone_ids(stack):
        if not _for_zone(stack, zone_id, "zoneId", t.QUERY_LOG):
            yield None, (f"zone {zone_id} has no aws.route53.QueryLog (shop3d:dnsQueryLogging)")
