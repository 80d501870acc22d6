"""Stateful resources survive a mistaken `pulumi destroy` (DESIGN.md: protect=True)."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet

rules = RuleSet()
STATEFUL = (t.BUCKET, t.TABLE, t.RDS_CLUSTER, t.RDS_GLOBAL_CLUSTER, t.SECRET)


@rules.resource(
    "stateful-protected",
    "Buckets, tables, database clusters and secrets are protected (protect=True).",
    STATEFUL,
    "DESIGN.md conventions; FSBP RDS.7 / DynamoDB.6 intent",
)
def protected(resource: Resource) -> Iterator[str]:
    if not resource.protect:
        yield "protect is not set: pass pulumi.ResourceOptions(protect=True)"
