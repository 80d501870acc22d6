"""Sign-in tokens: only RS256 access tokens from the configured Cognito pool and app client are
accepted. The pool is moto's Cognito: real sign-ins give real tokens, and crafted tokens are
signed with the key moto publishes in the pool's JWKS, so each claim the verifier relies on
(iss, token_use, client_id, exp, the signature and its kid) is refused on its own test.
Each refusal answers 401 with a problem that names what was wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

from handlers.cart.api.problems import Problem
from handlers.cart.api.tokens import REQUIRED_CLAIMS, JwksCache, TokenVerifier
from handlers.cart.settings import TrustedIssuer
from local.cognito import LocalUserPool


# moto signs every pool's tokens with this key and publishes its public half under kid "dummy".
def _moto_key() -> rsa.RSAPrivateKey:
    key = jwt.algorithms.RSAAlgorithm.from_jwk(
        json.dumps(load_resource("cognitoidp/resources/jwks-private.json"))
    )
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


MOTO_KEY = _moto_key()
MOTO_KID = "dummy"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _part(document: dict[str, object]) -> str:
    return _b64(json.dumps(document).encode())


def documented_claims(issuer: LocalUserPool, sub: str = "") -> dict[str, Any]:
    """Exactly the claims of a Cognito access token, as "Understanding the access token"
    (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html,
    "Access token payload") lists them: no nbf and no aud."""
    now = int(time.time())
    sub = sub or str(uuid.uuid4())
    return {
        "sub": sub,
        "cognito:groups": ["shoppers"],
        "iss": issuer.issuer,
        "client_id": issuer.client_id,
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "username": sub,
    }


def signed(claims: dict[str, Any], key: Any = MOTO_KEY, kid: str = MOTO_KID) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _refused(client, token: str | None, fragment: str, raw_header: str | None = None) -> None:
    headers = {"authorization": raw_header} if raw_header is not None else None
    reply = client.call("GET", "/api/cart", token=token, headers=headers)
    assert reply.status == 401, reply.body
    assert reply.content_type == "application/problem+json"
    assert fragment in reply.body["detail"], reply.body["detail"]


def test_an_access_token_from_cognitos_sign_in_selects_the_users_cart(client, issuer):
    carol = issuer.token("carol@example.com")
    reply = client.call("GET", "/api/cart", token=carol.access_token)
    assert reply.status == 200 and reply.body["cart_id"] == f"user#{carol.sub}"


def test_a_token_with_exactly_cognitos_documented_claims_is_accepted(client, issuer):
    claims = documented_claims(issuer)
    assert "nbf" not in claims and "aud" not in claims
    reply = client.call("GET", "/api/cart", token=signed(claims))
    assert reply.status == 200, reply.body
    assert reply.body["cart_id"] == f"user#{claims['sub']}"


def test_an_nbf_claim_is_checked_when_present(client, issuer):
    future = int(time.time()) + 3600
    claims = {**documented_claims(issuer), "nbf": future, "exp": future + 60}
    _refused(client, signed(claims), "not valid yet")


def test_missing_token_on_merge(client):
    reply = client.call("POST", "/api/cart/merge")
    assert reply.status == 401 and "Bearer" in reply.body["detail"]


def test_malformed_authorization_header(client):
    _refused(client, None, "Bearer <access token>", raw_header="Basic dXNlcjpwYXNz")


def test_garbage_token(client):
    _refused(client, "not-a-jwt", "not a JWT")


# -- one test per claim the verifier relies on -------------------------------------------------
def test_an_expired_token_is_refused_exp(client, issuer):
    past = int(time.time()) - 3600
    claims = {**documented_claims(issuer), "exp": past, "iat": past - 60, "auth_time": past - 60}
    _refused(client, signed(claims), "expired")


def test_a_token_from_another_pool_is_refused_iss(client, issuer):
    other = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Another"
    _refused(client, signed({**documented_claims(issuer), "iss": other}), "untrusted issuer")


def test_a_real_token_of_another_pool_is_refused_iss(client, issuer):
    """Another pool in the same moto server: same signing key, other issuer."""
    other = LocalUserPool.create(issuer.client, issuer.endpoint, issuer.region, "other-pool")
    try:
        token = other.token("olga@example.com").access_token
    finally:
        other.delete()
    _refused(client, token, "untrusted issuer")


def test_a_token_for_another_app_client_is_refused_client_id(client, issuer):
    app = issuer.client.create_user_pool_client(
        UserPoolId=issuer.pool_id,
        ClientName="other-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]
    other_app = LocalUserPool(
        issuer.client, issuer.endpoint, issuer.region, issuer.pool_id, app["ClientId"]
    )
    _refused(client, other_app.token("frank@example.com").access_token, "another client")


def test_an_id_token_is_not_an_access_token_token_use(client, issuer):
    _refused(
        client, signed({**documented_claims(issuer), "token_use": "id"}), "access token is required"
    )


def test_cognitos_real_id_token_is_refused(client, issuer):
    # An ID token carries aud instead of client_id (and token_use "id").
    _refused(client, issuer.token("grace@example.com").id_token, "'client_id'")


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_a_token_without_a_required_claim_is_refused(client, issuer, claim):
    claims = documented_claims(issuer)
    del claims[claim]
    _refused(client, signed(claims), f"'{claim}'")


def test_a_tampered_payload_fails_the_signature(client, issuer):
    header, _, signature = signed(documented_claims(issuer)).split(".")
    forged = _part({**documented_claims(issuer), "sub": "admin"})
    _refused(client, f"{header}.{forged}.{signature}", "invalid")


def test_a_token_signed_by_another_key_under_the_pools_kid_is_refused(client, issuer):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(client, signed(documented_claims(issuer), key=stranger), "Signature verification")


def test_a_kid_not_in_the_pools_jwks_is_refused(client, issuer):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = signed(documented_claims(issuer), key=stranger, kid="not-in-the-jwks")
    _refused(client, token, "not in the issuer's JWKS")


@pytest.mark.parametrize("kid", [7, None, ["dummy"]], ids=["number", "null", "list"])
def test_a_kid_that_is_not_a_string_is_refused(client, issuer, kid):
    unsigned = (
        f"{_part({'alg': 'RS256', 'typ': 'JWT', 'kid': kid})}.{_part(documented_claims(issuer))}"
    )
    _refused(client, f"{unsigned}.{_b64(b'x' * 256)}", "kid")


def test_alg_none_token(client, issuer):
    token = f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(documented_claims(issuer))}."
    _refused(client, token, "only RS256")


def test_hs256_token_signed_with_the_public_key(client, issuer):
    # The classic confusion attack: HMAC keyed with the issuer's public key material.
    # PyJWT refuses to build this token, so it is assembled by hand.
    public = jwt.algorithms.RSAAlgorithm.to_jwk(MOTO_KEY.public_key()).encode()
    header = _part({"alg": "HS256", "typ": "JWT", "kid": MOTO_KID})
    payload = f"{header}.{_part(documented_claims(issuer))}"
    signature = hmac.new(public, payload.encode(), hashlib.sha256).digest()
    _refused(client, f"{payload}.{_b64(signature)}", "only RS256")


# -- the JWKS cache, against moto's JWKS endpoint ------------------------------------------------
class CountingJwks(JwksCache):
    """The real cache, counting how often it downloads the JWKS."""

    def __init__(self, url: str, min_refresh_seconds: float) -> None:
        super().__init__(url, min_refresh_seconds)
        self.downloads = 0

    def _refresh(self) -> None:
        self.downloads += 1
        super()._refresh()


def _verifier(
    issuer: LocalUserPool, min_refresh_seconds: float
) -> tuple[TokenVerifier, CountingJwks]:
    trusted = TrustedIssuer(issuer.issuer, issuer.jwks_url, issuer.client_id)
    jwks = CountingJwks(trusted.jwks_url, min_refresh_seconds)
    return TokenVerifier(trusted, jwks), jwks


def test_the_jwks_is_downloaded_once_and_again_on_an_unknown_kid(issuer):
    verifier, jwks = _verifier(issuer, min_refresh_seconds=0)
    judy = issuer.token("judy@example.com")
    assert verifier.subject(judy.access_token) == judy.sub
    assert verifier.subject(issuer.token("judy@example.com").access_token) == judy.sub
    assert jwks.downloads == 1  # cached
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Problem, match="not in the issuer's JWKS"):
        verifier.subject(signed(documented_claims(issuer), key=stranger, kid="rotated"))
    assert jwks.downloads == 2  # an unknown kid: fetched again (a rotated key would be found)


def test_unknown_kids_do_not_hammer_the_jwks(issuer):
    verifier, jwks = _verifier(issuer, min_refresh_seconds=60)
    ken = issuer.token("ken@example.com")
    assert verifier.subject(ken.access_token) == ken.sub
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for attempt in range(5):
        with pytest.raises(Problem, match="not in the issuer's JWKS"):
            verifier.subject(
                signed(documented_claims(issuer), key=stranger, kid=f"made-up-{attempt}")
            )
    assert jwks.downloads == 1
