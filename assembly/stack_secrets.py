"""The stack-wide secrets every cell shares, created once in the primary region."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from assembly.providers import RegionProviders
from components.naming import global_name
from components.origin_secret import CartCookieKey, OriginSecretArgs, StripeKeys
from stack_config.config import StackConfig

KeyArns = Mapping[str, pulumi.Output[str]]


def make_cart_cookie_key(
    config: StackConfig, providers: RegionProviders, key_arns: KeyArns
) -> CartCookieKey:
    """One guest-cookie key for the stack: a cart cookie signed in one region verifies in all."""
    return CartCookieKey(
        global_name("cart", "cookie-key"), *_in_primary(config, providers, key_arns)
    )


def make_stripe_keys(
    config: StackConfig, providers: RegionProviders, key_arns: KeyArns
) -> StripeKeys:
    """One Stripe account for the stack: every region's cart reads its own replica."""
    return StripeKeys(
        global_name("payments", "stripe-keys"), *_in_primary(config, providers, key_arns)
    )


def _in_primary(
    config: StackConfig, providers: RegionProviders, key_arns: KeyArns
) -> tuple[OriginSecretArgs, pulumi.ResourceOptions]:
    """A stack secret's arguments and options: created in the primary region."""
    return OriginSecretArgs(config=config, key_arns=key_arns), providers.opts(config.primary.name)
