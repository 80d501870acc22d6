"""Exemptions come only from stack config, name real rules and give a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy.exemptions import ExemptionError, from_stack_config, pack_config, parse

ROOT = Path(__file__).resolve().parents[2]


def test_parse_accepts_the_stack_config_form_and_its_json_text() -> None:
    raw = ["aurora-multi-az: dev runs one instance per cluster"]
    (exemption,) = parse(raw)
    assert (exemption.rule, exemption.reason) == (
        "aurora-multi-az",
        "dev runs one instance per cluster",
    )
    assert parse(json.dumps(raw)) == parse(raw)
    assert parse(None) == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (["no-such-rule: because reasons"], "unknown rule 'no-such-rule'; allowed: "),
        (["aurora-multi-az"], "must be a '<rule name>: <reason>' string"),
        (["aurora-multi-az: "], "give a reason"),
        (["aurora-multi-az: one reason here", "aurora-multi-az: another reason"], "twice"),
        ({"rule": "aurora-multi-az"}, "must be a list"),
        ("[not json", "not valid JSON"),
    ],
)
def test_bad_exemptions_say_what_is_wrong(raw: object, message: str) -> None:
    with pytest.raises(ExemptionError, match=message.replace("(", r"\(")):
        parse(raw)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stack_files_exemptions_are_valid(stack: str) -> None:
    for exemption in from_stack_config(ROOT / f"Pulumi.{stack}.yaml"):
        assert len(exemption.reason) >= 10


def test_pack_config_turns_exempted_rules_advisory() -> None:
    config = pack_config(parse(["alb-deletion-protection: dev stacks are torn down daily"]))
    assert config == {"alb-deletion-protection": {"enforcementLevel": "advisory"}}
