"""Stack-wide generated secrets, kept in Secrets Manager in the primary region with a replica in
every other region (each encrypted with that region's key), so every cell reads its own copy.

`OriginSecret` (`shop3d:edge:OriginSecret`) is the value of the origin header CloudFront adds to
every request to a cell's ALB: the ALB's listener rules forward only requests carrying it, so
nobody reaches a cell around CloudFront. It is generated once per stack; its value goes to every
cell's listener rules and to GlobalEdge's CloudFront origins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.naming import global_name, regional
from components.options import child, stateful
from stack_config.config import StackConfig

# The header CloudFront sends and the ALB rules match (custom origin header).
ORIGIN_HEADER_NAME: Final = "X-Shop3d-Origin-Verify"
# 48 letters and digits: 285 bits, and no character that needs escaping in a header or a
# query string (Route 53 health checks carry it in the query, see components/cell/health.py).
SECRET_LENGTH: Final = 48
RECOVERY_WINDOW_PROD_DAYS: Final = 30
RECOVERY_WINDOW_DEV_DAYS: Final = 7


@dataclass(frozen=True)
class ReplicatedSecret:
    secret: aws.secretsmanager.Secret
    value: pulumi.Output[str]  # marked secret: never shown in plans or state in clear

    def arn_in(self, region: str) -> pulumi.Output[str]:
        """The ARN of the copy in `region` (a replica keeps the name, only the region differs)."""
        return self.secret.arn.apply(lambda arn: arn_in_region(arn, region))


def arn_in_region(arn: str, region: str) -> str:
    parts = arn.split(":")
    parts[3] = region
    return ":".join(parts)


def replicated_secret_resource(
    parent: pulumi.Resource,
    role: str,
    description: str,
    config: StackConfig,
    key_arns: Mapping[str, pulumi.Input[str]],
) -> aws.secretsmanager.Secret:
    """The secret in the primary region with a replica in every other, each under its region's
    key, under `parent`'s (the primary region's) provider; no value."""
    primary = config.primary.name
    return aws.secretsmanager.Secret(
        regional("secret", primary, role),
        description=description,
        kms_key_id=key_arns[primary],
        recovery_window_in_days=RECOVERY_WINDOW_PROD_DAYS
        if config.deletion_protection
        else RECOVERY_WINDOW_DEV_DAYS,
        replicas=[
            aws.secretsmanager.SecretReplicaArgs(region=r.name, kms_key_id=key_arns[r.name])
            for r in config.secondaries
        ]
        or None,
        opts=stateful(parent, config.deletion_protection),
    )


def replicated_secret(
    parent: pulumi.Resource,
    role: str,
    description: str,
    config: StackConfig,
    key_arns: Mapping[str, pulumi.Input[str]],
) -> ReplicatedSecret:
    """A generated letters-and-digits value in a replicated secret, under `parent`'s (the
    primary region's) provider."""
    primary = config.primary.name
    password = random.RandomPassword(
        global_name("secret", role, "value"),
        length=SECRET_LENGTH,
        special=False,
        opts=child(parent),
    )
    secret = replicated_secret_resource(parent, role, description, config, key_arns)
    aws.secretsmanager.SecretVersion(
        regional("secret", primary, role, "version"),
        secret_id=secret.id,
        secret_string=password.result,
        opts=child(parent),
    )
    return ReplicatedSecret(secret=secret, value=pulumi.Output.secret(password.result))


@dataclass(frozen=True)
class OriginSecretArgs:
    config: StackConfig
    key_arns: Mapping[str, pulumi.Input[str]]


class _StackSecret(pulumi.ComponentResource):
    """A component owning one replicated secret; create it under the primary's provider."""

    value: pulumi.Output[str]
    secret_arn: pulumi.Output[str]

    def __init__(
        self,
        type_token: str,
        name: str,
        role: str,
        description: str,
        args: OriginSecretArgs,
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        super().__init__(type_token, name, None, opts)
        self._secret = replicated_secret(self, role, description, args.config, args.key_arns)
        self.value = self._secret.value
        self.secret_arn = self._secret.secret.arn

    def arn_in(self, region: str) -> pulumi.Output[str]:
        return self._secret.arn_in(region)


class OriginSecret(_StackSecret):
    """The origin header's value (`header_name`) for CloudFront and the cells' ALB rules."""

    def __init__(
        self, name: str, args: OriginSecretArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "shop3d:edge:OriginSecret",
            name,
            "origin-header",
            "shop3d CloudFront-to-ALB origin header value",
            args,
            opts,
        )
        self.header_name = ORIGIN_HEADER_NAME
        self.register_outputs({"headerName": self.header_name, "secretArn": self.secret_arn})


class CartCookieKey(_StackSecret):
    """The HMAC key of the guest cart cookie: one per stack, so a cookie signed in one region
    verifies in every other (carts are global tables)."""

    def __init__(
        self, name: str, args: OriginSecretArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "shop3d:cart:CookieKey",
            name,
            "cart-cookie-key",
            "shop3d guest cart cookie HMAC key",
            args,
            opts,
        )
        self.register_outputs({"secretArn": self.secret_arn})


class StripeKeys(pulumi.ComponentResource):
    """The Stripe account's keys, one secret per stack replicated to every region like the
    others. Its value is not generated and never passes through Pulumi's state: an operator
    writes the JSON document {"secret_key", "publishable_key", "webhook_secret"} into it
    (docs/payments.md); the cart reads it once per container."""

    def __init__(
        self, name: str, args: OriginSecretArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("shop3d:payments:StripeKeys", name, None, opts)
        self._secret = replicated_secret_resource(
            self,
            "stripe-keys",
            "shop3d Stripe API keys and webhook secret",
            args.config,
            args.key_arns,
        )
        self.secret_arn = self._secret.arn
        self.register_outputs({"secretArn": self.secret_arn})

    def arn_in(self, region: str) -> pulumi.Output[str]:
        return self._secret.arn.apply(lambda arn: arn_in_region(arn, region))
