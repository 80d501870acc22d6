"""Cognito access-token verification: RS256 only, keys from the pool's JWKS (cached, refreshed
on an unknown kid at most once per `min_refresh_seconds`), iss, client_id, token_use, exp; nbf
only when present: Cognito's access tokens carry none (sub, iss, client_id, origin_jti, event_id,
token_use, scope, auth_time, exp, iat, jti, username, cognito:groups), so requiring it would
refuse every real token."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from handlers.cart.api.problems import unauthorized
from handlers.cart.settings import TrustedIssuer

ACCEPTED_ALGORITHM = "RS256"
ACCESS_TOKEN_USE = "access"  # noqa: S105 - a claim value (access vs id token), not a secret
REQUIRED_CLAIMS = ("iss", "sub", "exp", "client_id", "token_use")
GROUPS_CLAIM = "cognito:groups"
CLOCK_SKEW_SECONDS = 30
JWKS_TIMEOUT_SECONDS = 3.0


class JwksCache:
    """Public keys by kid. An unknown kid triggers a refetch, rate-limited so that tokens with
    made-up kids cannot turn every request into a JWKS download."""

    def __init__(self, url: str, min_refresh_seconds: float = 30.0) -> None:
        self._url = url
        self._min_refresh = min_refresh_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at >= self._min_refresh:
                self._refresh()
            try:
                return self._keys[kid]
            except KeyError:
                raise unauthorized(f"token key id {kid!r} is not in the issuer's JWKS") from None

    def _refresh(self) -> None:
        if not self._url.startswith(("https://", "http://")):
            raise unauthorized("the JWKS URL is not an http(s) URL")
        try:
            with urllib.request.urlopen(self._url, timeout=JWKS_TIMEOUT_SECONDS) as reply:  # noqa: S310 - scheme checked
                document = json.load(reply)
        except OSError as error:
            raise unauthorized(f"the issuer's JWKS could not be fetched: {error}") from None
        self._fetched_at = time.monotonic()
        self._keys = {
            jwk["kid"]: RSAAlgorithm.from_jwk(jwk)
            for jwk in document.get("keys", [])
            if jwk.get("kty") == "RSA" and "kid" in jwk
        }


@dataclass(frozen=True)
class VerifiedToken:
    """Who a verified access token speaks for: its `sub` and its Cognito groups."""

    subject: str
    groups: frozenset[str]


class TokenVerifier:
    def __init__(self, trusted: TrustedIssuer, jwks: JwksCache | None = None) -> None:
        self.trusted = trusted
        self.jwks = jwks or JwksCache(trusted.jwks_url)

    def subject(self, token: str) -> str:
        """The verified `sub` of an access token, or a 401 problem that says what was wrong."""
        return self.verify(token).subject

    def verify(self, token: str) -> VerifiedToken:
        """The verified subject and groups of an access token, or a 401 problem."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise unauthorized("bearer token is not a JWT") from None
        except jwt.InvalidTokenError as error:  # e.g. a kid that is a number, null or a list
            raise unauthorized(
                f"token header is invalid ({error}): the kid must be a string"
            ) from None
        algorithm = header.get("alg")
        if algorithm != ACCEPTED_ALGORITHM:
            raise unauthorized(f"token algorithm {algorithm!r} is not accepted; only RS256")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise unauthorized("token header has no key id (kid): a string is required")
        claims = self._decode(token, self.jwks.key(kid))
        if claims["client_id"] != self.trusted.client_id:
            raise unauthorized("token was issued to another client (client_id)")
        if claims["token_use"] != ACCESS_TOKEN_USE:
            raise unauthorized(f"token_use is {claims['token_use']!r}; an access token is required")
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise unauthorized("token subject (sub) is empty")
        groups = claims.get(GROUPS_CLAIM, [])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise unauthorized(f"token claim {GROUPS_CLAIM!r} is not a list of group names")
        return VerifiedToken(subject, frozenset(groups))

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ACCEPTED_ALGORITHM],
                issuer=self.trusted.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": list(REQUIRED_CLAIMS), "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("token has expired (exp)") from None
        except jwt.ImmatureSignatureError:
            raise unauthorized("token is not valid yet (nbf)") from None
        except jwt.InvalidIssuerError:
            raise unauthorized("token was issued by an untrusted issuer (iss)") from None
        except jwt.MissingRequiredClaimError as error:
            raise unauthorized(f"token lacks the {error.claim!r} claim") from None
        except jwt.InvalidTokenError as error:
            raise unauthorized(f"token is invalid: {error}") from None
        return claims
