"""A Cognito user pool in moto's server shaped like the program's (e-mail usernames, MFA
OPTIONAL with TOTP, an admin group), users enrolled in TOTP the way a real client does it
(AssociateSoftwareToken, then VerifySoftwareToken with a code computed from the secret), and
pre token generation events in the V2 shape Cognito sends."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from handlers.identity import handler
from handlers.shared.auth_flows import USER_PASSWORD_AUTH
from local.cognito import LocalUserPool
from local.resources import LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY
from tests.conftest import unique_prefix

OTHER_GROUP = "editors"
PASSWORD = "Correct-Horse-42!"


def totp(secret_base32: str, at: float | None = None) -> str:
    """RFC 6238 code (30 s steps, 6 digits, SHA-1), as an authenticator app computes it."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8), casefold=True)
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@dataclass(frozen=True)
class UserPool:
    client: Any  # boto3 cognito-idp client on moto's server
    pool_id: str
    app_client_id: str

    def create_user(self, *groups: str) -> str:
        """A confirmed user in `groups`; returns the Cognito username (the sub here)."""
        email = f"{unique_prefix('u')}@example.com"
        local = LocalUserPool(self.client, "", LOCAL_REGION, self.pool_id, self.app_client_id)
        username = local.ensure_user(email, PASSWORD)  # e-mail usernames: the sub
        for group in groups:
            self.client.admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=username, GroupName=group
            )
        return username

    def enrol_totp(self, username: str) -> None:
        """What the storefront does for a signed-in user: associate, verify, enable TOTP."""
        signed_in = self.client.initiate_auth(
            ClientId=self.app_client_id,
            AuthFlow=USER_PASSWORD_AUTH,
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )
        access_token = signed_in["AuthenticationResult"]["AccessToken"]
        secret = self.client.associate_software_token(AccessToken=access_token)["SecretCode"]
        verified = self.client.verify_software_token(
            AccessToken=access_token, UserCode=totp(secret)
        )
        assert verified["Status"] == "SUCCESS"
        self.client.set_user_mfa_preference(
            AccessToken=access_token,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )

    def disable_totp(self, username: str) -> None:
        self.client.admin_set_user_mfa_preference(
            UserPoolId=self.pool_id,
            Username=username,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        )

    def event(
        self,
        username: str,
        trigger_source: str = "TokenGeneration_Authentication",
        version: str = "2",
        **attributes: str,
    ) -> dict[str, Any]:
        """A pre token generation event as Cognito sends it for this user (V2 shape)."""
        user = self.client.admin_get_user(UserPoolId=self.pool_id, Username=username)
        groups = self.client.admin_list_groups_for_user(UserPoolId=self.pool_id, Username=username)[
            "Groups"
        ]
        user_attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        user_attributes["cognito:user_status"] = user["UserStatus"]
        user_attributes.update(attributes)
        request: dict[str, Any] = {
            "userAttributes": user_attributes,
            "groupConfiguration": {
                "groupsToOverride": [g["GroupName"] for g in groups],
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
        }
        if version != "1":
            request["scopes"] = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
        return copy.deepcopy(
            {
                "version": version,
                "triggerSource": trigger_source,
                "region": LOCAL_REGION,
                "userPoolId": self.pool_id,
                "userName": username,
                "callerContext": {
                    "awsSdkVersion": "aws-sdk-unknown-unknown",
                    "clientId": self.app_client_id,
                },
                "request": request,
                "response": (
                    {"claimsOverrideDetails": None}
                    if version == "1"
                    else {"claimsAndScopeOverrideDetails": None}
                ),
            }
        )


@pytest.fixture
def cognito_env(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> Iterator[str]:
    """The standard AWS variables pointing boto3 at moto; moto checks TOTP codes for real."""
    monkeypatch.setenv("AWS_REGION", LOCAL_REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", LOCAL_REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", LOCAL_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", LOCAL_SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    handler.cognito_client.cache_clear()  # built from this environment on first use
    yield moto_endpoint
    handler.cognito_client.cache_clear()


@pytest.fixture
def pool(cognito_env: str) -> Iterator[UserPool]:
    client = boto3.client("cognito-idp")
    # The local platform's pool (the program's shape: e-mail usernames, TOTP optional).
    created = LocalUserPool.create(client, cognito_env, LOCAL_REGION, unique_prefix("pool"))
    # The pool has the program's groups (admins among them); this one is not staff.
    client.create_group(UserPoolId=created.pool_id, GroupName=OTHER_GROUP)
    yield UserPool(client, created.pool_id, created.client_id)
    created.delete()
