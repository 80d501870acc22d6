"""Relaxations of mandatory rules, read only from stack config (`shop3d:policyExemptions`).

The value is a list of strings "<rule name>: <why this stack cannot comply>" (the form
stack_config/config.py declares in Pulumi.yaml).
An exempted rule still runs and reports, as advisory instead of mandatory, so the gap stays
visible in every preview. docs/shipping.md lists each stack's exemptions with their reasons.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from policy.rules import RULES_BY_NAME
from stack_config.config import PolicyExemption

CONFIG_KEY: Final = "shop3d:policyExemptions"
ADVISORY: Final = "advisory"


class ExemptionError(ValueError):
    """The exemptions config is malformed; the message says what and what is allowed."""


# The program's own record of an exemption (stack_config/config.py reads the same stack key).
Exemption = PolicyExemption


def parse(raw: object) -> tuple[Exemption, ...]:
    """Validate the config value (a list, or its JSON text) into exemptions."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ExemptionError(f"{CONFIG_KEY} is not valid JSON: {error}") from None
    if not isinstance(raw, list):
        raise ExemptionError(f"{CONFIG_KEY} must be a list of '<rule name>: <reason>' strings")
    exemptions: list[Exemption] = []
    for index, entry in enumerate(raw):
        where = f"{CONFIG_KEY}[{index}]"
        if not isinstance(entry, str) or ":" not in entry:
            raise ExemptionError(f"{where} must be a '<rule name>: <reason>' string, got {entry!r}")
        rule, _, reason = (part.strip() for part in entry.partition(":"))
        if rule not in RULES_BY_NAME:
            raise ExemptionError(
                f"{where}: unknown rule {rule!r}; allowed: {', '.join(sorted(RULES_BY_NAME))}"
            )
        if len(reason) < 10:
            raise ExemptionError(f"{where} ({rule}): give a reason of at least 10 characters")
        if any(e.rule == rule for e in exemptions):
            raise ExemptionError(f"{where}: {rule} is exempted twice")
        exemptions.append(Exemption(rule, reason))
    return tuple(exemptions)


def from_stack_config(path: Path) -> tuple[Exemption, ...]:
    """The exemptions of a Pulumi.<stack>.yaml file."""
    document: Any = yaml.safe_load(path.read_text()) or {}
    config = document.get("config") or {}
    value = config.get(CONFIG_KEY)
    if isinstance(value, Mapping) and "value" in value:  # `{value: ...}` form of stack config
        value = value["value"]
    return parse(value)


def pack_config(exemptions: Iterable[Exemption]) -> dict[str, dict[str, str]]:
    """Policy pack config (`--policy-pack-config`): each exempted rule becomes advisory."""
    return {e.rule: {"enforcementLevel": ADVISORY} for e in exemptions}
