"""Sellers, admins and shoppers as users of the local user pool in moto's Cognito
(local/cognito.py), with the program's groups: their access tokens are Cognito's
(cognito:groups and all), signed with the key moto publishes in the pool's JWKS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from handlers.shared.groups import ADMIN_GROUP, SELLER_GROUP
from local.cognito import DEFAULT_PASSWORD, LocalUserPool
from local.resources import LOCAL_REGION, AwsEndpoints

PASSWORD = DEFAULT_PASSWORD


@dataclass
class StaffPool:
    endpoints: AwsEndpoints
    pool: LocalUserPool = field(init=False)

    def __post_init__(self) -> None:
        self.pool = LocalUserPool.create(
            self.endpoints.cognito_client(),
            self.endpoints.moto,
            LOCAL_REGION,
            f"staff-{uuid.uuid4().hex[:8]}",
        )  # with the program's groups, as the local platform's pool

    @property
    def client(self):  # boto3 cognito-idp, no stubs
        return self.pool.client

    @property
    def pool_id(self) -> str:
        return self.pool.pool_id

    def env(self) -> dict[str, str]:
        return self.pool.env()

    def user_with_email(self, *groups: str) -> tuple[str, str, str]:
        """A new user in `groups`: (its e-mail, its sub, an access token)."""
        email = f"staff-{uuid.uuid4().hex[:10]}@shop.example"
        signed_in = self.pool.token(email, groups)
        return email, signed_in.sub, signed_in.access_token

    def user(self, *groups: str) -> tuple[str, str]:
        _, sub, token = self.user_with_email(*groups)
        return sub, token

    def seller(self) -> tuple[str, str]:
        return self.user(SELLER_GROUP)

    def admin(self) -> tuple[str, str]:
        return self.user(ADMIN_GROUP)
