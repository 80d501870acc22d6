"""Stateful resources survive a mistaken `pulumi destroy` (DESIGN.md: protect=True)."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet

rules = RuleSet()


@rules.resource(
    "stateful-protected",
    "Whatever holds data or is costly to lose (buckets, tables, database clusters and "
    "instances, keys, secrets, Redis, the user pool, the zone, backup vaults) is protected "
    "(protect=True).",
    t.STATEFUL,
    "DESIGN.md conventions; FSBP RDS.7 / DynamoDB.6 intent",
)
def protected(resource: Resource) -> Iterator[str]:
    if not resource.protect:
        yield "protect is not set: pass pulumi.ResourceOptions(protect=True)"
