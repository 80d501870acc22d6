"""Stateful resources survive a mistaken `pulumi destroy` (DESIGN.md: protect=True)."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet
from policy.values import is_true, is_unknown

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


@rules.resource(
    "s3-force-destroy-unprotected-only",
    "forceDestroy (empty the bucket on destroy) only on buckets that are not protected, and "
    "on every one that is not: a protected bucket must never be emptied by a destroy, an "
    "unprotected one must not stop a dev destroy at BucketNotEmpty.",
    (t.BUCKET,),
    "shop3d",
)
def force_destroy(resource: Resource) -> Iterator[str]:
    value = resource.get("forceDestroy")
    if is_unknown(value):
        return
    if resource.protect and is_true(value):
        yield "a protected bucket has forceDestroy: set it false"
    if not resource.protect and not is_true(value):
        yield "an unprotected bucket without forceDestroy: pulumi destroy fails on BucketNotEmpty"
