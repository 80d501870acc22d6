"""Opaque, tamper-checked cursors of the catalog listings (GET /api/products and the admin list).

A cursor carries the DynamoDB key a page ended on (ExclusiveStartKey of the next Query) and the
listing it belongs to (index and key value), signed with HMAC-SHA256 under a key derived from the
service's cookie key. A cursor that was altered, made up, or taken from another listing (another
status, category or seller) fails the check and is refused, never handed to DynamoDB.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Final

from handlers.shared.limits import LIST_CURSOR_MAX_CHARS

_LABEL: Final = b"shop3d-list-cursor:v1"  # versioned: a later format cannot pass as this one
_TAG_BYTES: Final = 16  # 128-bit tags: forging one is as hard as guessing the key
StartKey = dict[str, str]


class InvalidCursor(ValueError):
    """The cursor is not one this listing handed out: the message says what to do instead."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")  # no padding: URL-safe as is


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ListCursors:
    def __init__(self, service_key: bytes) -> None:
        if len(service_key) < 32:
            raise ValueError("the cursor key must come from a key of at least 32 bytes")
        # A key of its own (not the cookie key itself): a cursor tag can never pass as a cookie's.
        self._key = hmac.new(service_key, _LABEL, hashlib.sha256).digest()

    def _tag(self, listing: str, payload: bytes) -> bytes:
        message = listing.encode() + b"\n" + payload
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_TAG_BYTES]

    def encode(self, listing: str, start_key: StartKey) -> str:
        payload = json.dumps(start_key, sort_keys=True, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._tag(listing, payload))}"

    def decode(self, listing: str, cursor: str, fields: frozenset[str]) -> StartKey:
        """The start key of `cursor` if this service signed it for `listing`."""
        if len(cursor) > LIST_CURSOR_MAX_CHARS:
            raise InvalidCursor(f"cursor is longer than {LIST_CURSOR_MAX_CHARS} characters")
        body, _, tag = cursor.partition(".")
        try:
            payload, expected = _unb64(body), _unb64(tag)
        except (binascii.Error, ValueError):
            raise InvalidCursor("cursor is not one this API returned") from None
        if not hmac.compare_digest(expected, self._tag(listing, payload)):
            raise InvalidCursor("cursor was altered or belongs to another listing")
        document = json.loads(payload)  # we signed it, so it is our JSON
        if (
            not isinstance(document, dict)
            or set(document) != fields
            or not all(isinstance(v, str) for v in document.values())
        ):
            raise InvalidCursor("cursor is from an older version of this listing")
        return document
