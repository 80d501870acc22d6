"""A small local OpenID-style token issuer: an RSA key, its JWKS over HTTP on loopback, and
access tokens shaped like Cognito's (iss, client_id, token_use=access, sub, exp, nbf, kid).

Tests mint real RS256 tokens with it; the local platform uses it for its signed-in users. The
cart service trusts it only because AUTH_ISSUER / AUTH_JWKS_URL / AUTH_CLIENT_ID point at it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from handlers.shared.env import AUTH_CLIENT_ID, AUTH_ISSUER, AUTH_JWKS_URL

JWKS_PATH = "/.well-known/jwks.json"  # where Cognito serves a pool's keys, under its issuer
DEFAULT_CLIENT_ID = "shop3d-local-web"
DEFAULT_LIFETIME_SECONDS = 3600


class _SigningKey:
    def __init__(self) -> None:
        self.kid = uuid.uuid4().hex
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**public, "kid": self.kid, "alg": "RS256", "use": "sig"}


class TokenIssuer:
    """Start with `with TokenIssuer() as issuer:`; `issuer.env()` is the cart service's config."""

    def __init__(self, client_id: str = DEFAULT_CLIENT_ID, host: str = "127.0.0.1") -> None:
        self.client_id = client_id
        self._host = host
        self._keys = [_SigningKey()]
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.jwks_requests = 0  # how often the JWKS was fetched (tests check the cache)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> TokenIssuer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != JWKS_PATH:
                    self.send_error(404, "only " + JWKS_PATH + " is served")
                    return
                issuer.jwks_requests += 1
                payload = json.dumps(issuer.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: tests and the local platform log their own requests

        self._server = ThreadingHTTPServer((self._host, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> TokenIssuer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- facts -------------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        if self._server is None:
            raise RuntimeError("the token issuer is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def jwks_url(self) -> str:
        return self.issuer + JWKS_PATH

    @property
    def kid(self) -> str:
        return self._keys[-1].kid

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.jwk() for key in self._keys]}

    def env(self) -> dict[str, str]:
        """The environment that makes the cart service trust this issuer."""
        return {
            AUTH_ISSUER: self.issuer,
            AUTH_JWKS_URL: self.jwks_url,
            AUTH_CLIENT_ID: self.client_id,
        }

    def rotate(self) -> str:
        """Add a new signing key (old ones stay published, as Cognito does); returns its kid."""
        self._keys.append(_SigningKey())
        return self.kid

    # -- tokens ------------------------------------------------------------------------------
    def claims(self, sub: str, lifetime: int = DEFAULT_LIFETIME_SECONDS) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.issuer,
            "sub": sub,
            "client_id": self.client_id,
            "token_use": "access",
            "scope": "openid",
            "auth_time": now,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
            "username": sub,
        }

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        """Sign arbitrary claims with the current (or the named) key, RS256."""
        key = next(k for k in self._keys if k.kid == (kid or self.kid))
        return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid})

    def mint(self, sub: str, lifetime: int = DEFAULT_LIFETIME_SECONDS, **overrides: Any) -> str:
        """An access token for `sub`; `overrides` replace or add claims (for bad-token tests)."""
        return self.sign({**self.claims(sub, lifetime), **overrides})


if __name__ == "__main__":  # pragma: no cover - manual use: print config and a token, serve
    with TokenIssuer() as running:
        print(json.dumps({**running.env(), "token": running.mint("local-user")}, indent=2))
        threading.Event().wait()
