"""What one component hands another, as small typed records (so no component reaches into
another's internals)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class IdentityOutputs:
    """The user pool the cart service trusts (Cognito in AWS): reaches every cell's cart
    Lambda through its environment."""

    user_pool_id: pulumi.Output[str]
    client_id: pulumi.Output[str]
    issuer_url: pulumi.Output[str]
    jwks_url: pulumi.Output[str]
