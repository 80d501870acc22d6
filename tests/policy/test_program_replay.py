"""The whole program for dev and prod, under mocks, passes every mandatory rule.

Exempted rules (the stack's shop3d:policyExemptions) still run and report as advisory.
A failure lists each finding as `[mandatory] rule: urn: what to set`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from policy import tokens as t
from policy.evaluate import evaluate
from policy.exemptions import from_stack_config
from policy.model import Stack

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("dev", "prod")


def exemptions(stack: str) -> set[str]:
    return {e.rule for e in from_stack_config(ROOT / f"Pulumi.{stack}.yaml")}


@pytest.mark.parametrize("stack", STACKS)
def test_every_mandatory_rule_passes(stack: str, replayed: Callable[[str], Stack]) -> None:
    findings = evaluate(replayed(stack), exempt=exemptions(stack))
    mandatory = sorted(str(f) for f in findings if f.mandatory)
    assert mandatory == [], f"{len(mandatory)} mandatory violations:\n" + "\n".join(mandatory)


@pytest.mark.parametrize("stack", STACKS)
def test_every_exemption_is_still_needed(stack: str, replayed: Callable[[str], Stack]) -> None:
    advisory = {f.rule for f in evaluate(replayed(stack), exempt=exemptions(stack))}
    stale = sorted(exemptions(stack) - advisory)
    assert stale == [], f"Pulumi.{stack}.yaml exempts rules that now pass: remove {stale}"


@pytest.mark.parametrize("stack", STACKS)
def test_the_replay_sees_the_whole_program(stack: str, replayed: Callable[[str], Stack]) -> None:
    types = {r.type for r in replayed(stack).resources}
    # The joins the stack rules rely on found their partners (or the rules would be vacuous).
    assert {
        t.BUCKET,
        t.DISTRIBUTION,
        t.TABLE,
        t.RDS_CLUSTER,
        t.FUNCTION,
        t.KMS_KEY,
    } <= types
