"""The admin group only reaches tokens of users who signed in with TOTP.

Cognito has no per-group MFA, and the pool's MFA is OPTIONAL so that shoppers may skip it. With
OPTIONAL MFA a user who has TOTP enabled must answer the TOTP challenge at every sign-in, so
"TOTP is enabled on the account" (AdminGetUser's UserMFASettingList) means "this sign-in passed
TOTP", with two exceptions the event itself shows, where Cognito's MFA did not run:
- a federated sign-in (Google, Apple, Facebook; `cognito:user_status` EXTERNAL_PROVIDER, or an
  account linked to one: `identities`): the provider authenticated the user, not Cognito;
- a remembered-device sign-in (TokenGeneration_AuthenticateDevice), which can skip MFA.

The decision is made again on every refresh (TokenGeneration_RefreshTokens), so a user who
turns TOTP off loses the admin group at the next refresh. Anything uncertain (the lookup fails,
times out, the user is not found) drops the group: fail closed. Users outside the admin group
are never looked up, so shoppers' sign-ins do not depend on the Cognito API answering.

Version 2 and 3 events (the pool's V2_0 trigger) carry one groupOverrideDetails for both the ID
and the access token; the access token is what the services verify.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from handlers.shared import groups

ADMIN_GROUP: Final = groups.ADMIN_GROUP
TOTP_MFA: Final = "SOFTWARE_TOKEN_MFA"  # AdminGetUser's name for TOTP in UserMFASettingList
# Event versions whose group override reaches the access token (V2_0 and V3_0 triggers).
ACCESS_TOKEN_VERSIONS: Final = frozenset({"2", "3"})
DEVICE_SIGN_IN: Final = "TokenGeneration_AuthenticateDevice"
EXTERNAL_PROVIDER_STATUS: Final = "EXTERNAL_PROVIDER"
USER_STATUS_ATTRIBUTE: Final = "cognito:user_status"
LINKED_IDENTITIES_ATTRIBUTE: Final = "identities"

# (user pool id, username) -> the user's UserMFASettingList; raises when it cannot tell.
MfaSettingsLookup = Callable[[str, str], Sequence[str]]


class UnsupportedTriggerVersion(ValueError):
    """The pool sends an event whose response cannot change the access token."""


@dataclass(frozen=True)
class Decision:
    """What the trigger decided for a member of the admin group, and why (for the log)."""

    keep_admin: bool
    reason: str


def groups_of(event: dict[str, Any]) -> list[str]:
    configuration = event.get("request", {}).get("groupConfiguration") or {}
    return list(configuration.get("groupsToOverride") or [])


def decide(event: dict[str, Any], mfa_settings: MfaSettingsLookup) -> Decision:
    """Keep the admin group only on evidence of a TOTP sign-in."""
    attributes = event.get("request", {}).get("userAttributes") or {}
    if event.get("triggerSource") == DEVICE_SIGN_IN:
        return Decision(False, "remembered-device sign-in may skip MFA")
    if attributes.get(USER_STATUS_ATTRIBUTE) == EXTERNAL_PROVIDER_STATUS or attributes.get(
        LINKED_IDENTITIES_ATTRIBUTE
    ):
        return Decision(False, "federated or linked account: Cognito MFA does not apply")
    try:
        settings = mfa_settings(str(event["userPoolId"]), str(event["userName"]))
    except Exception as error:  # any failure means "cannot tell": fail closed
        return Decision(False, f"MFA lookup failed ({_error_name(error)}): fail closed")
    if TOTP_MFA in settings:
        return Decision(True, "TOTP enabled, so this sign-in passed TOTP")
    return Decision(False, "no TOTP enrolled")


def enforce_admin_mfa(
    event: dict[str, Any], mfa_settings: MfaSettingsLookup
) -> tuple[dict[str, Any], Decision | None]:
    """The trigger's answer: the event, with the admin group removed from both tokens unless the
    user signed in with TOTP. The decision is None for users outside the admin group (their
    event is returned unchanged: Cognito then issues its tokens as usual)."""
    groups = groups_of(event)
    if ADMIN_GROUP not in groups:
        return event, None
    version = str(event.get("version"))
    if version not in ACCESS_TOKEN_VERSIONS:
        # A V1 answer changes only the ID token: the access token would still say admin.
        raise UnsupportedTriggerVersion(
            f"pre token generation event version {version!r} cannot change the access token; "
            f"allowed: {', '.join(sorted(ACCESS_TOKEN_VERSIONS))} (set the pool's trigger to "
            "lambda_version V2_0)"
        )
    decision = decide(event, mfa_settings)
    if not decision.keep_admin:
        _override_groups(event, [g for g in groups if g != ADMIN_GROUP])
    return event, decision


def _override_groups(event: dict[str, Any], groups: list[str]) -> None:
    """Replace cognito:groups in both tokens; IAM roles and the preferred role are kept as the
    request had them (the admin group maps to no IAM role)."""
    configuration = event.get("request", {}).get("groupConfiguration") or {}
    override: dict[str, Any] = {
        "groupsToOverride": groups,
        "iamRolesToOverride": list(configuration.get("iamRolesToOverride") or []),
    }
    if configuration.get("preferredRole"):
        override["preferredRole"] = configuration["preferredRole"]
    response = event.setdefault("response", {})
    details = response.get("claimsAndScopeOverrideDetails") or {}
    details["groupOverrideDetails"] = override
    response["claimsAndScopeOverrideDetails"] = details


def _error_name(error: Exception) -> str:
    """A botocore ClientError's code (UserNotFoundException, ...), else the exception type."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__
