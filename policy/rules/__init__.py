"""Every rule of the pack, in one tuple; `by_name` finds one."""

from __future__ import annotations

from policy.model import Rule
from policy.rules import (
    alb,
    aurora,
    cloudfront,
    cloudtrail,
    cognito,
    compute,
    dynamodb,
    elasticache,
    kms,
    lambda_functions,
    route53,
    s3,
    secrets,
    security_groups,
    stateful,
    waf,
)

_MODULES = (
    s3,
    cloudfront,
    dynamodb,
    aurora,
    elasticache,
    alb,
    lambda_functions,
    kms,
    waf,
    security_groups,
    cloudtrail,
    route53,
    secrets,
    cognito,
    compute,
    stateful,
)
ALL_RULES: tuple[Rule, ...] = tuple(rule for module in _MODULES for rule in module.rules.rules)
RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in ALL_RULES}
if len(RULES_BY_NAME) != len(ALL_RULES):
    raise RuntimeError("two policy rules share a name")


def by_name(name: str) -> Rule:
    try:
        return RULES_BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(RULES_BY_NAME))
        raise KeyError(f"no policy rule {name!r}; rules are: {known}") from None
