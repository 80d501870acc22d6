"""The guest cart cookie: an anonymous cart id signed with HMAC-SHA256 (key from Secrets Manager
in AWS, or given directly to the local platform). Forged or altered cookies are rejected."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid

from handlers.cart.api.problems import unauthorized

COOKIE_NAME = "shop3d_cart"
_DOMAIN = b"shop3d-cart:v1:"  # versioned so a later format cannot be confused with this one
_ID = re.compile(r"^[0-9a-f]{32}$")


class GuestCookie:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the cart cookie key must be at least 32 bytes")
        self._key = key

    def _signature(self, guest_id: str) -> str:
        digest = hmac.new(self._key, _DOMAIN + guest_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def new_value(self) -> tuple[str, str]:
        """A fresh guest id and the cookie value that carries it."""
        guest_id = uuid.uuid4().hex
        return guest_id, f"{guest_id}.{self._signature(guest_id)}"

    def guest_id(self, value: str) -> str:
        """The guest id in a cookie value, or a 401 problem if the signature does not hold."""
        guest_id, _, signature = value.partition(".")
        # compare_digest raises TypeError on non-ASCII str: a signature we made is ASCII.
        if (
            not _ID.fullmatch(guest_id)
            or not signature.isascii()
            or not hmac.compare_digest(signature, self._signature(guest_id))
        ):
            raise unauthorized(f"the {COOKIE_NAME} cookie is not one this service signed")
        return guest_id
