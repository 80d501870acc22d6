"""Reading resource properties as the engine hands them over: camelCase, possibly unknown.

During `pulumi preview` a value computed by another resource is not known yet; pulumi-policy
marks it with sentinel strings. A rule never fails on an unknown: it cannot tell, and the
value is checked again at `up` (and in the mock replay, where everything is known).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

# pulumi_policy.proxy's sentinels, one per type (kept here so rules need not import it).
UNKNOWN_SENTINELS: Final = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58",
        "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    }
)


# How the engine marks a secret inside a property map: {SIG_KEY: SECRET_SIG, "value": ...}.
SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 (a marker)


def unwrap_secrets(value: Any) -> Any:
    """The value with every secret wrapper replaced by what it wraps (rules read secrets too)."""
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            return unwrap_secrets(value.get("value"))
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [unwrap_secrets(v) for v in value]
    return value


def is_unknown(value: object) -> bool:
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def dig(props: Mapping[str, Any], path: str) -> Any:
    """props["a"]["b"]... for "a.b"; None when a step is missing (or not a mapping)."""
    value: Any = props
    for key in path.split("."):
        if is_unknown(value):
            return value
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def collect(props: Mapping[str, Any], path: str) -> list[Any]:
    """Every value at "a.b.c", stepping through lists on the way ("rules.destination.bucket")."""
    current: list[Any] = [props]
    for key in path.split("."):
        step: list[Any] = []
        for value in current:
            for element in value if isinstance(value, list | tuple) else [value]:
                if isinstance(element, Mapping) and element.get(key) is not None:
                    step.append(element[key])
        current = step
    return [v for value in current for v in (value if isinstance(value, list | tuple) else [value])]


def items(value: object) -> list[Any]:
    """A list property as a list (None -> [], a single object -> [it], unknown -> [])."""
    if value is None or is_unknown(value):
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def is_set(value: object) -> bool:
    """Present and non-empty; an unknown counts as set (it will be computed)."""
    return is_unknown(value) or value not in (None, "", [], {}, ())


def is_true(value: object) -> bool:
    """Explicitly true; an unknown passes (cannot tell at preview)."""
    return is_unknown(value) or value is True or value == "true"


def is_false(value: object) -> bool:
    """Explicitly false (missing or unknown is not false)."""
    return value is False or value == "false"


def at_least(value: object, minimum: float) -> bool:
    if is_unknown(value):
        return True
    try:
        return value is not None and float(str(value)) >= minimum
    except ValueError:
        return False


def statements(document: object) -> Iterator[Mapping[str, Any]]:
    """Statements of an IAM policy document given as JSON text or as a mapping."""
    if document is None or is_unknown(document):
        return
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return
    if isinstance(document, Mapping):
        for statement in items(document.get("Statement")):
            if isinstance(statement, Mapping):
                yield statement


def principal_values(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if isinstance(principal, Mapping):
        return [str(v) for value in principal.values() for v in items(value)]
    return [str(v) for v in items(principal)]


# Condition keys that pin a "*" principal down to a known caller.
RESTRICTING_CONDITION_KEYS: Final = frozenset(
    key.lower()
    for key in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:PrincipalOrgID",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceVpce",
        "aws:SourceVpc",
        "kms:CallerAccount",
        "kms:ViaService",
    )
)


def condition_keys(statement: Mapping[str, Any]) -> set[str]:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return set()
    return {
        str(key).lower()
        for block in condition.values()
        if isinstance(block, Mapping)
        for key in block
    }


def public_allow(statement: Mapping[str, Any]) -> bool:
    """An Allow statement for anyone ("*" principal) without a condition naming the caller."""
    return (
        statement.get("Effect") == "Allow"
        and "*" in principal_values(statement)
        and not (condition_keys(statement) & RESTRICTING_CONDITION_KEYS)
    )


def denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    if statement.get("Effect") != "Deny" or not isinstance(condition, Mapping):
        return False
    bool_block = condition.get("Bool")
    if not isinstance(bool_block, Mapping):
        return False
    values = {str(k).lower(): v for k, v in bool_block.items()}
    return str(values.get("aws:securetransport", "")).lower() == "false"
