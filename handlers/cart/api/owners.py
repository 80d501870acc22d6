"""Who owns a cart: a signed-in user (token `sub`) or a guest (signed cookie id). Never the body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.cart.limits import GUEST_CART_TTL_DAYS, USER_CART_TTL_DAYS


@dataclass(frozen=True)
class Owner:
    kind: Literal["user", "guest"]
    id: str

    @property
    def cart_id(self) -> str:
        return f"{self.kind}#{self.id}"

    @property
    def ttl_days(self) -> int:
        return USER_CART_TTL_DAYS if self.kind == "user" else GUEST_CART_TTL_DAYS
