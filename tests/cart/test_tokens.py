"""Sign-in tokens: only RS256 access tokens from the configured issuer and client are accepted.
Each bad token is its own test and answers 401 with a problem that names what was wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from handlers.cart.api.problems import Problem
from handlers.cart.api.tokens import JwksCache, TokenVerifier
from handlers.cart.settings import TrustedIssuer
from local.token_issuer import TokenIssuer


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _part(document: dict[str, object]) -> str:
    return _b64(json.dumps(document).encode())


def _unsigned(claims: dict[str, object]) -> str:
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(claims)}."


def _refused(client, token: str | None, fragment: str, raw_header: str | None = None) -> None:
    headers = {"authorization": raw_header} if raw_header is not None else None
    reply = client.call("GET", "/api/cart", token=token, headers=headers)
    assert reply.status == 401, reply.body
    assert reply.content_type == "application/problem+json"
    assert fragment in reply.body["detail"], reply.body["detail"]


def test_valid_token_selects_the_users_cart(client, issuer):
    reply = client.call("GET", "/api/cart", token=issuer.mint("carol"))
    assert reply.status == 200 and reply.body["cart_id"] == "user#carol"


def test_missing_token_on_merge(client):
    reply = client.call("POST", "/api/cart/merge")
    assert reply.status == 401 and "Bearer" in reply.body["detail"]


def test_malformed_authorization_header(client):
    _refused(client, None, "Bearer <access token>", raw_header="Basic dXNlcjpwYXNz")


def test_garbage_token(client):
    _refused(client, "not-a-jwt", "not a JWT")


def test_expired_token(client, issuer):
    past = int(time.time()) - 3600
    _refused(client, issuer.mint("dave", exp=past, nbf=past - 60, iat=past - 60), "expired")


def test_token_not_valid_yet(client, issuer):
    future = int(time.time()) + 3600
    _refused(client, issuer.mint("dave", nbf=future, exp=future + 60), "not valid yet")


def test_alg_none_token(client, issuer):
    _refused(client, _unsigned(issuer.claims("mallory")), "only RS256")


def test_hs256_token_signed_with_the_public_key(client, issuer):
    # The classic confusion attack: HMAC keyed with the issuer's public key material.
    # PyJWT refuses to build this token, so it is assembled by hand.
    public = json.dumps(issuer.jwks()["keys"][0]).encode()
    header = _part({"alg": "HS256", "typ": "JWT", "kid": issuer.kid})
    signed = f"{header}.{_part(issuer.claims('mallory'))}"
    signature = hmac.new(public, signed.encode(), hashlib.sha256).digest()
    _refused(client, f"{signed}.{_b64(signature)}", "only RS256")


def test_wrong_issuer(client, issuer):
    _refused(client, issuer.mint("erin", iss="https://evil.example"), "untrusted issuer")


def test_token_from_another_issuers_key(client, issuer):
    with TokenIssuer(client_id=issuer.client_id) as other:
        token = other.sign({**other.claims("erin"), "iss": issuer.issuer})
    _refused(client, token, "not in the issuer's JWKS")


def test_wrong_client(client, issuer):
    _refused(client, issuer.mint("frank", client_id="another-app"), "another client")


def test_id_token_is_not_an_access_token(client, issuer):
    _refused(client, issuer.mint("grace", token_use="id"), "access token is required")


def test_missing_claim(client, issuer):
    claims = issuer.claims("heidi")
    del claims["client_id"]
    _refused(client, issuer.sign(claims), "'client_id'")


def test_tampered_payload(client, issuer):
    header, _, signature = issuer.mint("ivan").split(".")
    _refused(client, f"{header}.{_part(issuer.claims('admin'))}.{signature}", "invalid")


def test_jwks_is_cached_and_refreshed_on_an_unknown_kid(issuer):
    trusted = TrustedIssuer(issuer.issuer, issuer.jwks_url, issuer.client_id)
    verifier = TokenVerifier(trusted, JwksCache(trusted.jwks_url, min_refresh_seconds=0))
    before = issuer.jwks_requests
    assert verifier.subject(issuer.mint("judy")) == "judy"
    assert verifier.subject(issuer.mint("judy")) == "judy"
    assert issuer.jwks_requests == before + 1  # cached
    issuer.rotate()
    assert verifier.subject(issuer.mint("judy")) == "judy"  # new kid: fetched again
    assert issuer.jwks_requests == before + 2


def test_unknown_kids_do_not_hammer_the_jwks(issuer):
    trusted = TrustedIssuer(issuer.issuer, issuer.jwks_url, issuer.client_id)
    verifier = TokenVerifier(trusted, JwksCache(trusted.jwks_url, min_refresh_seconds=60))
    assert verifier.subject(issuer.mint("ken")) == "ken"
    before = issuer.jwks_requests
    with TokenIssuer() as stranger:
        for _ in range(5):
            with pytest.raises(Problem, match="not in the issuer's JWKS"):
                verifier.subject(stranger.mint("ken"))
    assert issuer.jwks_requests == before
