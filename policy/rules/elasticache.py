"""ElastiCache Redis replication groups: encryption at rest and in transit, AUTH, HA, backups."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet
from policy.values import at_least, is_set, is_true

rules = RuleSet()
GROUP = (t.REPLICATION_GROUP,)


@rules.resource(
    "elasticache-at-rest-cmk",
    "Data at rest is encrypted with a customer managed key.",
    GROUP,
    "CKV_AWS_29, CKV_AWS_191; ElastiCache.4",
)
def at_rest(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("atRestEncryptionEnabled")):
        yield "atRestEncryptionEnabled is not true"
    if not is_set(resource.get("kmsKeyId")):
        yield "kmsKeyId is not set: use the region's customer managed key"


@rules.resource(
    "elasticache-in-transit-auth",
    "Clients connect over TLS and authenticate (AUTH token or RBAC user group).",
    GROUP,
    "CKV_AWS_30, CKV_AWS_31; ElastiCache.5, ElastiCache.6",
)
def in_transit(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("transitEncryptionEnabled")):
        yield "transitEncryptionEnabled is not true"
    if resource.get("transitEncryptionMode") == "preferred":
        yield "transitEncryptionMode is 'preferred': use 'required'"
    if not (is_set(resource.get("authToken")) or is_set(resource.get("userGroupIds"))):
        yield "neither authToken nor userGroupIds is set: require AUTH"


@rules.resource(
    "elasticache-automatic-failover",
    "Automatic failover and Multi-AZ are on.",
    GROUP,
    "CKV2_AWS_50; ElastiCache.3",
)
def failover(resource: Resource) -> Iterator[str]:
    for setting in ("automaticFailoverEnabled", "multiAzEnabled"):
        if not is_true(resource.get(setting)):
            yield f"{setting} is not true"


@rules.resource(
    "elasticache-backups",
    "Automatic backups are kept (snapshotRetentionLimit >= 1).",
    GROUP,
    "CKV_AWS_134; ElastiCache.1",
)
def backups(resource: Resource) -> Iterator[str]:
    if not at_least(resource.get("snapshotRetentionLimit"), 1):
        yield "snapshotRetentionLimit is 0 or unset"


@rules.resource(
    "elasticache-subnet-group",
    "The group runs in its own subnet group, not the default one.",
    GROUP,
    "CKV_AWS_323; ElastiCache.7",
)
def subnet_group(resource: Resource) -> Iterator[str]:
    name = resource.get("subnetGroupName")
    if not is_set(name) or name == "default":
        yield "subnetGroupName is unset or 'default': create an aws.elasticache.SubnetGroup"
