"""Server-side sessions in the `sessions` DynamoDB table: one item per session id (32 random
bytes, URL-safe), the Cognito tokens sealed with AES-256-GCM (the session id as associated data,
so a sealed blob cannot be moved to another item), a TTL after the refresh token's lifetime.

The sealing key is derived with HKDF-SHA256 from the stack's cart cookie key under its own label:
one secret to rotate, two keys that cannot stand in for each other.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from handlers.shared.tables import SESSIONS

COOKIE_NAME: Final = "shop3d_session"
_KEY_LABEL: Final = b"shop3d-session-tokens:v1"
_NONCE_BYTES: Final = 12
_ID_BYTES: Final = 32
assert SESSIONS.ttl_attribute is not None
_TTL: Final = SESSIONS.ttl_attribute


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: int  # when the access token expires (epoch seconds)


@dataclass(frozen=True)
class Session:
    session_id: str
    sub: str
    email: str
    tokens: Tokens


def session_key(cookie_key: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_LABEL)
    return hkdf.derive(cookie_key)


class SessionStore:
    def __init__(self, dynamodb: Any, table: str, key: bytes, days: int = 30) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._aead = AESGCM(key)
        # A session lives as long as its refresh token (the app client's lifetime).
        self.lifetime_seconds = days * 86400

    def _seal(self, session_id: str, tokens: Tokens) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps(asdict(tokens)).encode()
        sealed = self._aead.encrypt(nonce, plain, session_id.encode())
        return base64.b64encode(nonce + sealed).decode()

    def _open(self, session_id: str, blob: str) -> Tokens | None:
        raw = base64.b64decode(blob)
        try:
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], session_id.encode())
        except Exception:  # an InvalidTag: altered, moved or sealed under another key
            return None
        return Tokens(**json.loads(plain))

    def create(self, sub: str, email: str, tokens: Tokens) -> Session:
        session = Session(secrets.token_urlsafe(_ID_BYTES), sub, email, tokens)
        self._put(session)
        return session

    def _put(self, session: Session) -> None:
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                SESSIONS.hash_key.name: {"S": session.session_id},
                "sub": {"S": session.sub},
                "email": {"S": session.email},
                "tokens": {"S": self._seal(session.session_id, session.tokens)},
                _TTL: {"N": str(int(time.time()) + self.lifetime_seconds)},
            },
        )

    def get(self, session_id: str) -> Session | None:
        """The live session with this id, or None (unknown, expired, or its blob does not open)."""
        if not 20 <= len(session_id) <= 64 or not session_id.isascii():
            return None
        item = self._dynamodb.get_item(
            TableName=self._table,
            Key={SESSIONS.hash_key.name: {"S": session_id}},
            ConsistentRead=True,
        ).get("Item")
        if item is None or int(item[_TTL]["N"]) < time.time():
            return None
        tokens = self._open(session_id, item["tokens"]["S"])
        if tokens is None:
            return None
        return Session(session_id, item["sub"]["S"], item["email"]["S"], tokens)

    def replace_tokens(self, session: Session, tokens: Tokens) -> Session:
        updated = Session(session.session_id, session.sub, session.email, tokens)
        self._put(updated)
        return updated

    def delete(self, session_id: str) -> None:
        self._dynamodb.delete_item(
            TableName=self._table, Key={SESSIONS.hash_key.name: {"S": session_id}}
        )
