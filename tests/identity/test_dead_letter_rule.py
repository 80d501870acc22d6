"""lambda-dead-letter knows Cognito triggers are synchronous: a function only a user pool
invokes needs no dead-letter queue; one that anything asynchronous may invoke still does."""

from __future__ import annotations

from policy import tokens as t
from policy.evaluate import evaluate
from policy.rules import RULES_BY_NAME
from tests.policy.baseline import res, stack_of

RULE = RULES_BY_NAME["lambda-dead-letter"]
POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"


def findings(*principals: str) -> list[str]:
    function = res(t.FUNCTION, "pre-token", runtime="python3.12")
    permissions = [
        res(
            t.PERMISSION,
            f"invoke-{i}",
            function="pre-token",
            principal=principal,
            sourceArn=POOL_ARN,
        )
        for i, principal in enumerate(principals)
    ]
    return [f.rule for f in evaluate(stack_of([function, *permissions]), rules=[RULE])]


def test_a_function_only_cognito_invokes_needs_no_dead_letter_queue() -> None:
    assert findings("cognito-idp.amazonaws.com") == []


def test_an_asynchronous_invoker_still_requires_one() -> None:
    assert findings("cognito-idp.amazonaws.com", "s3.amazonaws.com") == ["lambda-dead-letter"]
    assert findings("events.amazonaws.com") == ["lambda-dead-letter"]
