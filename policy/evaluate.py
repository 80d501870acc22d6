"""Run every rule over a stack's resources: the same code path as the pack, without the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from policy.model import ResourceRule, Rule, Stack
from policy.rules import ALL_RULES


@dataclass(frozen=True)
class Finding:
    rule: str
    urn: str | None
    message: str
    mandatory: bool

    def __str__(self) -> str:
        level = "mandatory" if self.mandatory else "advisory"
        return f"[{level}] {self.rule}: {self.urn or '(stack)'}: {self.message}"


def evaluate(
    stack: Stack, exempt: Iterable[str] = (), rules: Iterable[Rule] = ALL_RULES
) -> list[Finding]:
    exempted = set(exempt)
    findings: list[Finding] = []
    for rule in rules:
        mandatory = rule.name not in exempted
        if isinstance(rule, ResourceRule):
            for resource in stack.resources:
                findings += [
                    Finding(rule.name, resource.urn, message, mandatory)
                    for message in rule.violations(resource)
                ]
        else:
            findings += [
                Finding(rule.name, resource.urn if resource else None, message, mandatory)
                for resource, message in rule.violations(stack)
            ]
    return findings
