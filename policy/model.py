"""What a rule sees (Resource, Stack) and what a rule is (ResourceRule, StackRule)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from policy.values import collect, dig, is_unknown


@dataclass(frozen=True)
class Resource:
    """One resource as registered: type token, logical name, URN and camelCase inputs."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    protect: bool = False
    parent: str | None = None
    # property name -> URNs that property's value came from (the engine's property
    # dependencies): how stack rules join resources while ids are still unknown at preview.
    refs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Values by which other resources refer to this one (id, name, ARN) when known.
    identities: frozenset[str] = frozenset()
    region: str | None = None  # the provider's region, when known

    def get(self, path: str) -> Any:
        return dig(self.props, path)


@dataclass(frozen=True)
class Stack:
    resources: tuple[Resource, ...]

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def by_urn(self, urn: str) -> Resource | None:
        return next((r for r in self.resources if r.urn == urn), None)

    def refers(self, source: Resource, prop: str, target: Resource) -> bool:
        """Does `source.<prop>` (a value or a list of values) point at `target`?"""
        if target.urn in source.refs.get(prop.split(".")[0], frozenset()):
            return True
        wanted = target.identities | {target.urn}
        return any(
            isinstance(v, str) and not is_unknown(v) and _names(v, wanted)
            for v in collect(source.props, prop)
        )

    def referrers(self, target: Resource, prop: str, *types: str) -> list[Resource]:
        """Resources of `types` whose `prop` points at `target`."""
        return [r for r in self.of_type(*types) if self.refers(r, prop, target)]

    def children(self, parent: Resource, *types: str) -> list[Resource]:
        return [r for r in self.of_type(*types) if r.parent == parent.urn]


def _names(value: str, wanted: frozenset[str]) -> bool:
    """value is one of the identities, or an ARN / domain name built from one."""
    if value in wanted:
        return True
    tail = value.rsplit(":", 1)[-1].rsplit("/", 1)[-1]  # arn:aws:s3:::name, .../name
    head = value.split(".s3", 1)[0]  # name.s3.amazonaws.com, name.s3.<region>.amazonaws.com
    return tail in wanted or head in wanted


# A stack rule may report on no single resource (e.g. "the stack has no trail").
Violation = tuple[Resource | None, str]
ResourceCheck = Callable[[Resource], Iterable[str]]
StackCheck = Callable[[Stack], Iterable[Violation]]


@dataclass(frozen=True)
class ResourceRule:
    name: str
    description: str
    types: frozenset[str]
    check: ResourceCheck
    sources: str = ""  # the PCP / Checkov / Security Hub ids it implements

    def violations(self, resource: Resource) -> list[str]:
        return list(self.check(resource)) if resource.type in self.types else []


@dataclass(frozen=True)
class StackRule:
    name: str
    description: str
    check: StackCheck
    sources: str = ""

    def violations(self, stack: Stack) -> list[Violation]:
        return list(self.check(stack))


Rule = ResourceRule | StackRule


@dataclass
class RuleSet:
    """The rules of one module, registered by decorators so each is written once."""

    rules: list[Rule] = field(default_factory=list)

    def resource(
        self, name: str, description: str, types: Iterable[str], sources: str = ""
    ) -> Callable[[ResourceCheck], ResourceCheck]:
        def register(check: ResourceCheck) -> ResourceCheck:
            self.rules.append(ResourceRule(name, description, frozenset(types), check, sources))
            return check

        return register

    def stack(
        self, name: str, description: str, sources: str = ""
    ) -> Callable[[StackCheck], StackCheck]:
        def register(check: StackCheck) -> StackCheck:
            self.rules.append(StackRule(name, description, check, sources))
            return check

        return register


def each(
    resources: Iterable[Resource], check: Callable[[Resource], str | None]
) -> Iterator[Violation]:
    """Stack-rule helper: (resource, message) for every resource whose check returns a message."""
    for resource in resources:
        message = check(resource)
        if message:
            yield resource, message
