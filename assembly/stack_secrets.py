"""The stack-wide secrets every cell shares, created once in the primary region."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from assembly.providers import RegionProviders
from components.naming import global_name
from components.origin_secret import CartCookieKey, OriginSecretArgs
from stack_config.config import StackConfig


def make_cart_cookie_key(
    config: StackConfig, providers: RegionProviders, key_arns: Mapping[str, pulumi.Output[str]]
) -> CartCookieKey:
    """One guest-cookie key for the stack: a cart cookie signed in one region verifies in all."""
    return CartCookieKey(
        global_name("cart", "cookie-key"),
        OriginSecretArgs(config=config, key_arns=key_arns),
        opts=providers.opts(config.primary.name),
    )
