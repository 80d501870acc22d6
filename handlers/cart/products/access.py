"""Who may use the admin product API: a verified token in the `sellers` group (their own
products) or the `admins` group (every product). Another seller's product is answered as
missing (404), so SKUs of other sellers cannot be probed."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.cart.api.problems import Problem
from handlers.cart.api.tokens import VerifiedToken
from handlers.shared.groups import ADMIN_GROUP, SELLER_GROUP


@dataclass(frozen=True)
class Staff:
    subject: str
    is_admin: bool

    @classmethod
    def from_token(cls, token: VerifiedToken) -> Staff:
        if ADMIN_GROUP in token.groups:
            return cls(token.subject, is_admin=True)
        if SELLER_GROUP in token.groups:
            return cls(token.subject, is_admin=False)
        raise Problem(
            403,
            "forbidden",
            f"the admin API needs the {SELLER_GROUP!r} or {ADMIN_GROUP!r} group in the token;"
            " this account has neither",
        )

    def may_see(self, seller: str | None) -> bool:
        return self.is_admin or seller == self.subject

    def owner_for_new(self, requested: str | None) -> str:
        """The seller a new product belongs to: an admin may name one, a seller only itself."""
        if requested is None or requested == self.subject:
            return self.subject
        if not self.is_admin:
            raise Problem(
                403, "forbidden", "a seller creates products for itself only; leave out 'seller'"
            )
        return requested
