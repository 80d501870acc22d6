"""The local user pool: a Cognito user pool and app client in moto's server, shaped like the
program's (e-mail usernames, e-mail auto-verified, MFA optional with TOTP, token revocation, the
groups of handlers/shared/groups.py).

Tokens come from moto's Cognito (InitiateAuth / AdminInitiateAuth), signed with the key moto
publishes at `<endpoint>/<pool id>/.well-known/jwks.json`, and carry moto's issuer
`https://cognito-idp.<region>.amazonaws.com/<pool id>`: the cart service verifies them exactly
as it verifies a real pool's tokens, through SHOP3D_AUTH_* only.

Limits: the app client allows the program's flows (USER_PASSWORD_AUTH and refresh); moto does
not serve the managed login pages or the OAuth endpoints (/oauth2/authorize, /oauth2/token) and
runs no pre-token trigger, so an `admins` member's tokens carry the group without a TOTP sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from handlers.shared.auth_flows import CLIENT_AUTH_FLOWS, USER_PASSWORD_AUTH
from handlers.shared.env import AUTH_CLIENT_ID, AUTH_ISSUER, AUTH_JWKS_URL
from handlers.shared.groups import GROUPS

POOL_NAME: Final = "shop3d-local-shoppers"
CLIENT_NAME: Final = "shop3d-local-storefront"
DEFAULT_PASSWORD: Final = "Local-Shopper-42!"  # noqa: S105 - local users on moto only
# The program's app client allows exactly these (moto does not enforce them; Cognito does).
AUTH_FLOWS: Final = CLIENT_AUTH_FLOWS


@dataclass(frozen=True)
class SignedIn:
    """What a successful sign-in returns (Cognito's AuthenticationResult) and who it is."""

    access_token: str
    id_token: str
    refresh_token: str
    expires_in: int
    sub: str


@dataclass(frozen=True)
class LocalUserPool:
    client: Any  # boto3 cognito-idp client pointed at moto's server
    endpoint: str  # moto's server, where the JWKS is served
    region: str
    pool_id: str
    client_id: str

    @classmethod
    def create(
        cls, client: Any, endpoint: str, region: str, name: str = POOL_NAME
    ) -> LocalUserPool:
        """A new pool and app client (moto keeps them in memory: one per run)."""
        pool_id = client.create_user_pool(
            PoolName=name,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            MfaConfiguration="OFF",
        )["UserPool"]["Id"]
        client.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration="OPTIONAL",
            SoftwareTokenMfaConfiguration={"Enabled": True},
        )
        app = client.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=CLIENT_NAME,
            GenerateSecret=False,
            ExplicitAuthFlows=list(AUTH_FLOWS),
            EnableTokenRevocation=True,
        )["UserPoolClient"]
        for group in GROUPS:  # the program's UserGroups (components/identity.py)
            client.create_group(
                UserPoolId=pool_id,
                GroupName=group.name,
                Description=group.description,
                Precedence=group.precedence,
            )
        return cls(client, endpoint.rstrip("/"), region, pool_id, app["ClientId"])

    def delete(self) -> None:
        self.client.delete_user_pool(UserPoolId=self.pool_id)

    # -- what the cart service trusts --------------------------------------------------------
    @property
    def issuer(self) -> str:
        """The `iss` of this pool's tokens (Cognito's form; moto uses it too)."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        """Where moto serves the pool's keys (in AWS: `<issuer>/.well-known/jwks.json`)."""
        return f"{self.endpoint}/{self.pool_id}/.well-known/jwks.json"

    def env(self) -> dict[str, str]:
        return {
            AUTH_ISSUER: self.issuer,
            AUTH_JWKS_URL: self.jwks_url,
            AUTH_CLIENT_ID: self.client_id,
        }

    # -- users ------------------------------------------------------------------------------
    def ensure_user(self, email: str, password: str = DEFAULT_PASSWORD) -> str:
        """A confirmed user with a permanent password (kept if it exists); returns its sub."""
        try:
            user = self.client.admin_get_user(UserPoolId=self.pool_id, Username=email)
        except self.client.exceptions.UserNotFoundException:
            user = self.client.admin_create_user(
                UserPoolId=self.pool_id,
                Username=email,
                MessageAction="SUPPRESS",
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
            )["User"]
            self.client.admin_set_user_password(
                UserPoolId=self.pool_id, Username=email, Password=password, Permanent=True
            )
        return _sub(user.get("UserAttributes") or user.get("Attributes") or [])

    def sign_in(self, email: str, password: str = DEFAULT_PASSWORD) -> SignedIn:
        """InitiateAuth with USER_PASSWORD_AUTH, the public (unauthenticated) call."""
        answer = self.client.initiate_auth(
            ClientId=self.client_id,
            AuthFlow=USER_PASSWORD_AUTH,
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        result = answer["AuthenticationResult"]
        user = self.client.get_user(AccessToken=result["AccessToken"])
        return SignedIn(
            result["AccessToken"],
            result["IdToken"],
            result["RefreshToken"],
            int(result["ExpiresIn"]),
            _sub(user["UserAttributes"]),
        )

    def add_to_groups(self, email: str, groups: tuple[str, ...]) -> None:
        """Make an existing user a member of `groups` (of GROUPS; Cognito refuses others)."""
        for group in groups:
            self.client.admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=email, GroupName=group
            )

    def token(self, email: str, groups: tuple[str, ...] = ()) -> SignedIn:
        """A signed-in user `email` (created on first use) in `groups` as well as those it had,
        for tests, benchmarks and /local/token. Tokens carry the groups of their sign-in."""
        self.ensure_user(email)
        self.add_to_groups(email, groups)
        return self.sign_in(email)


def _sub(attributes: list[dict[str, str]]) -> str:
    return next(str(a["Value"]) for a in attributes if a["Name"] == "sub")
