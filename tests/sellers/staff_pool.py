"""Sellers, admins and shoppers as users of a user pool in moto's Cognito: their access tokens
are Cognito's (cognito:groups and all), signed with the key moto publishes in the pool's JWKS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3

from handlers.shared import env
from handlers.shared.groups import ADMIN_GROUP, SELLER_GROUP
from local.resources import LOCAL_REGION, AwsEndpoints

PASSWORD = "Staff-Password-42!"


@dataclass
class StaffPool:
    endpoints: AwsEndpoints
    client: Any = field(init=False)
    pool_id: str = field(init=False)
    client_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.client = boto3.client(
            "cognito-idp",
            endpoint_url=self.endpoints.moto,
            region_name=LOCAL_REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        self.pool_id = self.client.create_user_pool(PoolName=f"staff-{uuid.uuid4().hex[:8]}")[
            "UserPool"
        ]["Id"]
        self.client_id = self.client.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="storefront",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        for group in (SELLER_GROUP, ADMIN_GROUP):
            self.client.create_group(GroupName=group, UserPoolId=self.pool_id)

    def env(self) -> dict[str, str]:
        return {
            env.AUTH_ISSUER: f"https://cognito-idp.{LOCAL_REGION}.amazonaws.com/{self.pool_id}",
            env.AUTH_JWKS_URL: f"{self.endpoints.moto}/{self.pool_id}/.well-known/jwks.json",
            env.AUTH_CLIENT_ID: self.client_id,
        }

    def user(self, *groups: str) -> tuple[str, str]:
        """A new user in `groups`: (its sub, an access token)."""
        name = f"user-{uuid.uuid4().hex[:10]}"
        self.client.admin_create_user(
            UserPoolId=self.pool_id, Username=name, MessageAction="SUPPRESS"
        )
        self.client.admin_set_user_password(
            UserPoolId=self.pool_id, Username=name, Password=PASSWORD, Permanent=True
        )
        for group in groups:
            self.client.admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=name, GroupName=group
            )
        token = self.client.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]["AccessToken"]
        attributes = self.client.admin_get_user(UserPoolId=self.pool_id, Username=name)[
            "UserAttributes"
        ]
        sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
        return sub, token

    def seller(self) -> tuple[str, str]:
        return self.user(SELLER_GROUP)

    def admin(self) -> tuple[str, str]:
        return self.user(ADMIN_GROUP)
