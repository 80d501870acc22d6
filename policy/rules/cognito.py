"""Cognito user pools: threat protection enforced."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet
from policy.values import is_unknown

rules = RuleSet()


@rules.resource(
    "cognito-threat-protection",
    "Threat protection (advanced security) is ENFORCED; it needs the PLUS feature plan.",
    (t.USER_POOL,),
    "Cognito.1",
)
def threat_protection(resource: Resource) -> Iterator[str]:
    mode = resource.get("userPoolAddOns.advancedSecurityMode")
    if not is_unknown(mode) and mode != "ENFORCED":
        yield f"userPoolAddOns.advancedSecurityMode {mode!r}: set ENFORCED"
    tier = resource.get("userPoolTier")
    if tier is not None and not is_unknown(tier) and tier != "PLUS":
        yield f"userPoolTier {tier!r}: threat protection needs PLUS"
