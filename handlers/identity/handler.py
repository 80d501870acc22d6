"""Lambda entry point of the pool's pre token generation trigger (V2_0 events).

Needs only the standard library and boto3, which Lambda's Python runtime provides: the function
ships without a dependency layer. Logs one line per admin-group decision, naming the user by
Cognito username (the sub in this pool) only: no e-mail, no token. The function's JSON log format
turns the record's `extra` fields into keys of that line (Lambda's runtime formatter does).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Protocol, cast

import boto3
from botocore.config import Config

from handlers.identity import limits
from handlers.identity.admin_mfa import MfaSettingsLookup, enforce_admin_mfa

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


class UserReader(Protocol):
    """The one Cognito call the trigger makes (its role allows nothing else)."""

    def admin_get_user(self, *, UserPoolId: str, Username: str) -> Mapping[str, Any]: ...


@cache
def cognito_client() -> UserReader:
    """Created once per execution environment, in the Lambda's region (AWS_REGION)."""
    config = Config(
        connect_timeout=limits.LOOKUP_CONNECT_TIMEOUT_SECONDS,
        read_timeout=limits.LOOKUP_READ_TIMEOUT_SECONDS,
        retries={"total_max_attempts": limits.LOOKUP_ATTEMPTS, "mode": "standard"},
    )
    return cast(UserReader, boto3.client("cognito-idp", config=config))


def mfa_settings_via(client: UserReader) -> MfaSettingsLookup:
    def lookup(user_pool_id: str, username: str) -> Sequence[str]:
        user = client.admin_get_user(UserPoolId=user_pool_id, Username=username)
        return list(user.get("UserMFASettingList") or [])

    return lookup


def handle(event: dict[str, Any], client: UserReader) -> dict[str, Any]:
    answer, decision = enforce_admin_mfa(event, mfa_settings_via(client))
    if decision is not None:
        logger.info(
            "admin group %s",
            "kept" if decision.keep_admin else "dropped",
            extra={
                "trigger_source": event.get("triggerSource"),
                "user_pool_id": event.get("userPoolId"),
                "username": event.get("userName"),
                "keep_admin": decision.keep_admin,
                "reason": decision.reason,
            },
        )
    return answer


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return handle(event, cognito_client())
