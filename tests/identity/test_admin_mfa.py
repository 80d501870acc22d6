"""The pre token generation trigger against moto's Cognito: the admin group reaches the tokens
of TOTP users only; everything else about the tokens is left as Cognito made it."""

from __future__ import annotations

import copy
import logging
import socket
from typing import Any

import boto3
import pytest
from botocore.config import Config

from handlers.identity import handler
from handlers.identity.admin_mfa import (
    ADMIN_GROUP,
    DEVICE_SIGN_IN,
    UnsupportedTriggerVersion,
    enforce_admin_mfa,
)
from tests.identity.conftest import OTHER_GROUP, UserPool

REFRESH = "TokenGeneration_RefreshTokens"


def token_groups(answer: dict[str, Any]) -> list[str] | None:
    """The groups Cognito will write into both tokens, or None when it keeps its own."""
    details = answer["response"].get("claimsAndScopeOverrideDetails")
    if details is None:
        return None
    return list(details["groupOverrideDetails"]["groupsToOverride"])


def decisions(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == handler.__name__]


def unreachable_client() -> Any:
    """A real boto3 client whose endpoint refuses connections (a port nobody listens on)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return boto3.client(
        "cognito-idp",
        endpoint_url=f"http://127.0.0.1:{port}",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=1),
    )


def test_admin_with_totp_keeps_the_admin_group(
    pool: UserPool, caplog: pytest.LogCaptureFixture
) -> None:
    username = pool.create_user(ADMIN_GROUP, OTHER_GROUP)
    pool.enrol_totp(username)
    event = pool.event(username)
    with caplog.at_level(logging.INFO):
        answer = handler.lambda_handler(copy.deepcopy(event), None)
    assert token_groups(answer) is None  # Cognito's own groups, admins included
    assert answer == event
    (record,) = decisions(caplog)
    assert record.keep_admin is True and record.username == username  # type: ignore[attr-defined]


def test_admin_without_totp_loses_only_the_admin_group(
    pool: UserPool, caplog: pytest.LogCaptureFixture
) -> None:
    username = pool.create_user(ADMIN_GROUP, OTHER_GROUP)
    event = pool.event(username)
    with caplog.at_level(logging.INFO):
        answer = handler.lambda_handler(copy.deepcopy(event), None)
    assert token_groups(answer) == [OTHER_GROUP]
    override = answer["response"]["claimsAndScopeOverrideDetails"]["groupOverrideDetails"]
    assert override["iamRolesToOverride"] == [] and "preferredRole" not in override
    # Only the response changed: the request Cognito sent is as it was.
    assert answer["request"] == event["request"]
    (record,) = decisions(caplog)
    assert record.keep_admin is False and record.reason == "no TOTP enrolled"  # type: ignore[attr-defined]
    # The log names the user by username (sub) only, never by e-mail.
    email = event["request"]["userAttributes"]["email"]
    assert email not in record.getMessage() and email not in str(vars(record))


def test_an_admin_alone_in_the_group_gets_no_groups_at_all(pool: UserPool) -> None:
    username = pool.create_user(ADMIN_GROUP)
    assert token_groups(handler.lambda_handler(pool.event(username), None)) == []


def test_a_shopper_is_untouched_and_never_looked_up(
    pool: UserPool, caplog: pytest.LogCaptureFixture
) -> None:
    for groups in ((), (OTHER_GROUP,)):
        username = pool.create_user(*groups)
        event = pool.event(username)
        # A lookup that cannot answer: were it called, the shopper's event would still pass,
        # but the decision would show it.
        with caplog.at_level(logging.INFO):
            answer = handler.handle(copy.deepcopy(event), unreachable_client())
        assert answer == event
    assert decisions(caplog) == []


def test_lookup_failures_drop_the_admin_group(pool: UserPool) -> None:
    enrolled = pool.create_user(ADMIN_GROUP, OTHER_GROUP)
    pool.enrol_totp(enrolled)
    event = pool.event(enrolled)
    # Cognito unreachable: even a TOTP user is not granted admin on a guess.
    answer, decision = enforce_admin_mfa(
        copy.deepcopy(event), handler.mfa_settings_via(unreachable_client())
    )
    assert token_groups(answer) == [OTHER_GROUP]
    assert decision is not None and "EndpointConnectionError" in decision.reason
    # The user is gone by the time the trigger asks (AdminGetUser: UserNotFoundException).
    pool.client.admin_delete_user(UserPoolId=pool.pool_id, Username=enrolled)
    answer, decision = enforce_admin_mfa(
        copy.deepcopy(event), handler.mfa_settings_via(pool.client)
    )
    assert token_groups(answer) == [OTHER_GROUP]
    assert decision is not None and "UserNotFoundException" in decision.reason


def test_a_refresh_checks_again(pool: UserPool) -> None:
    username = pool.create_user(ADMIN_GROUP)
    pool.enrol_totp(username)
    assert token_groups(handler.lambda_handler(pool.event(username, REFRESH), None)) is None
    pool.disable_totp(username)
    assert token_groups(handler.lambda_handler(pool.event(username, REFRESH), None)) == []


@pytest.mark.parametrize(
    ("trigger_source", "attributes", "reason"),
    [
        (DEVICE_SIGN_IN, {}, "remembered-device"),
        ("TokenGeneration_HostedAuth", {"cognito:user_status": "EXTERNAL_PROVIDER"}, "federated"),
        (
            "TokenGeneration_HostedAuth",
            {"identities": '[{"providerName":"Google","providerType":"Google"}]'},
            "linked",
        ),
    ],
)
def test_sign_ins_that_skip_cognito_mfa_drop_the_admin_group(
    pool: UserPool, trigger_source: str, attributes: dict[str, str], reason: str
) -> None:
    username = pool.create_user(ADMIN_GROUP)
    pool.enrol_totp(username)  # TOTP on the account, but this sign-in did not ask for it
    answer, decision = enforce_admin_mfa(
        pool.event(username, trigger_source, **attributes), handler.mfa_settings_via(pool.client)
    )
    assert token_groups(answer) == []
    assert decision is not None and reason in decision.reason


def test_a_v1_event_cannot_strip_the_access_token_so_admins_are_refused(pool: UserPool) -> None:
    admin, shopper = pool.create_user(ADMIN_GROUP), pool.create_user(OTHER_GROUP)
    pool.enrol_totp(admin)
    with pytest.raises(UnsupportedTriggerVersion, match=r"version '1'.*allowed: 2, 3.*V2_0"):
        handler.lambda_handler(pool.event(admin, version="1"), None)
    # Shoppers are not in the group: their V1 event passes unchanged.
    event = pool.event(shopper, version="1")
    assert handler.lambda_handler(copy.deepcopy(event), None) == event
