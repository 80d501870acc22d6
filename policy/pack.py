"""Adapts policy.rules to pulumi_policy: one mandatory policy per rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policy.model import Resource, ResourceRule, Stack, StackRule
from policy.rules import ALL_RULES
from policy.values import is_unknown, unwrap_secrets

PACK_NAME = "shop3d"
IDENTITY_PROPS = ("id", "arn", "name", "bucket", "secretId")


def _raw(props: Mapping[str, Any]) -> dict[str, Any]:
    """pulumi_policy wraps props in a proxy that raises on unknowns; rules want the sentinels."""
    try:
        target = props["__target"]
    except (KeyError, TypeError):
        target = props
    return dict(unwrap_secrets(dict(target)))


def _region(provider: Any, props: Mapping[str, Any]) -> str | None:
    region = props.get("region")
    if region is None and provider is not None:
        region = _raw(provider.props).get("region")
    return region if isinstance(region, str) and not is_unknown(region) else None


def to_resource(args: ResourceValidationArgs | PolicyResource) -> Resource:
    props = _raw(args.props)
    identities = frozenset(
        value
        for key in IDENTITY_PROPS
        if isinstance(value := props.get(key), str) and not is_unknown(value)
    )
    refs: dict[str, frozenset[str]] = {}
    if isinstance(args, PolicyResource):
        refs = {k: frozenset(r.urn for r in v) for k, v in args.property_dependencies.items()}
        parent = args.parent.urn if args.parent else None
    else:
        parent = args.opts.parent
    return Resource(
        type=args.resource_type,
        name=args.name,
        urn=args.urn,
        props=props,
        protect=bool(args.opts.protect),
        parent=parent,
        refs=refs,
        identities=identities | {args.name},
        region=_region(args.provider, props),
    )


def resource_policy(rule: ResourceRule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type in rule.types:
            for message in rule.check(to_resource(args)):
                report(message, None)

    return ResourceValidationPolicy(
        name=rule.name,
        description=f"{rule.description} [{rule.sources}]",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def stack_policy(rule: StackRule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        stack = Stack(tuple(to_resource(r) for r in args.resources))
        for resource, message in rule.check(stack):
            report(message, resource.urn if resource else None)

    return StackValidationPolicy(
        name=rule.name,
        description=f"{rule.description} [{rule.sources}]",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def build_pack() -> PolicyPack:
    """Every rule mandatory; the driver's --policy-pack-config turns exempted ones advisory."""
    policies: list[ResourceValidationPolicy | StackValidationPolicy] = [
        resource_policy(rule) if isinstance(rule, ResourceRule) else stack_policy(rule)
        for rule in ALL_RULES
    ]
    return PolicyPack(
        name=PACK_NAME,
        policies=list(policies),
        enforcement_level=EnforcementLevel.MANDATORY,
    )
