"""Cognito groups the pool defines (components/identity.py, and the local pool in
local/cognito.py) and the services act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Staff with access to the admin API: in tokens only after a TOTP sign-in (handlers/identity).
ADMIN_GROUP: Final = "admins"
# Sellers: the admin product API, limited to the products they own (their sub is the seller).
SELLER_GROUP: Final = "sellers"


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    precedence: int  # Cognito's: the lower wins when a user is in several groups


# Every group the user pool has, in AWS and locally.
GROUPS: Final[tuple[Group, ...]] = (
    Group(
        ADMIN_GROUP, "Staff with access to the admin API; in tokens only after a TOTP sign-in", 0
    ),
    Group(SELLER_GROUP, "Sellers: the admin product API, for the products they own only", 10),
)
GROUP_NAMES: Final[tuple[str, ...]] = tuple(g.name for g in GROUPS)
