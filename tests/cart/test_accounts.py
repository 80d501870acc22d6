"""Accounts through the backend-for-frontend routes, against a user pool in moto's Cognito and
the sessions table in DynamoDB Local: sign-up, e-mail confirmation, sign-in, the session cookie
(HttpOnly, Secure, SameSite, a random id only), tokens sealed server-side, refresh server-side,
sign-out that revokes and deletes, the guest cart merged once, a guest's order kept, TOTP
enrolment and the TOTP sign-in step, password reset.

moto accepts any sign-up confirmation code (its ConfirmSignUp does not check it); the reset code
is checked (moto hands it back in a response header, where Cognito e-mails it)."""

from __future__ import annotations

import uuid

import boto3
import psycopg
import pytest

from handlers.cart.accounts.sessions import COOKIE_NAME, SessionStore, Tokens, session_key
from handlers.shared.tables import SESSIONS
from tests.cart.conftest import COOKIE_KEY
from tests.identity.conftest import totp

PASSWORD = "Shop3d-Account-1!"


def _email() -> str:
    return f"shopper-{uuid.uuid4().hex[:10]}@example.com"


def _session_id(reply) -> str:
    header = str(reply.headers.get("Set-Cookie", ""))
    name, _, rest = header.partition("=")
    assert name == COOKIE_NAME, header
    return rest.split(";", 1)[0]


def _cookies(session_id: str | None = None, cart: str | None = None) -> dict[str, str]:
    parts = []
    if cart is not None:
        parts.append(f"shop3d_cart={cart}")
    if session_id is not None:
        parts.append(f"{COOKIE_NAME}={session_id}")
    return {"cookie": "; ".join(parts)}


def _signed_up(client, email: str) -> None:
    assert (
        client.call("POST", "/api/account/sign-up", {"email": email, "password": PASSWORD}).status
        == 202
    )
    assert (
        client.call("POST", "/api/account/confirm", {"email": email, "code": "123456"}).status
        == 200
    )


def _sign_in(client, email: str, cart: str | None = None):
    return client.call(
        "POST",
        "/api/account/sign-in",
        {"email": email, "password": PASSWORD},
        headers=_cookies(cart=cart) if cart else None,
    )


@pytest.fixture
def sessions_table(cart_env) -> str:
    return str(cart_env.tables[SESSIONS.logical_name])


@pytest.fixture
def store(sessions_table) -> SessionStore:
    """The sessions table read with the service's own key."""
    return SessionStore(boto3.client("dynamodb"), sessions_table, session_key(COOKIE_KEY.encode()))


def _signed_in_session(client) -> str:
    email = _email()
    _signed_up(client, email)
    return _session_id(_sign_in(client, email))


def test_sign_up_confirm_and_sign_in_set_only_a_random_session_id_cookie(client):
    email = _email()
    _signed_up(client, email)
    reply = _sign_in(client, email)
    assert reply.status == 200, reply.body
    assert reply.body["email"] == email and reply.body["sub"]
    assert "token" not in str(reply.body).lower()  # no token reaches the browser
    cookie = reply.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/api"):
        assert attribute in cookie, cookie
    assert len(_session_id(reply)) >= 43  # 32 random bytes, URL-safe
    me = client.call("GET", "/api/account", headers=_cookies(_session_id(reply)))
    assert me.status == 200 and me.body == {"sub": reply.body["sub"], "email": email}


def test_the_sessions_table_holds_the_tokens_sealed(client, sessions_table):
    email = _email()
    _signed_up(client, email)
    session_id = _session_id(_sign_in(client, email))
    item = boto3.client("dynamodb").get_item(
        TableName=sessions_table, Key={"session_id": {"S": session_id}}
    )["Item"]
    assert set(item) == {"session_id", "sub", "email", "tokens", "expires_at"}
    assert "eyJ" not in item["tokens"]["S"]  # no JWT in the clear
    store = SessionStore(boto3.client("dynamodb"), sessions_table, session_key(COOKIE_KEY.encode()))
    opened = store.get(session_id)
    assert opened is not None and opened.tokens.access_token.startswith("eyJ")
    wrong = SessionStore(boto3.client("dynamodb"), sessions_table, session_key(b"x" * 48))
    assert wrong.get(session_id) is None  # another key does not open it


def test_a_session_selects_the_users_cart_without_any_token_in_the_browser(client, shop):
    shop.product("ACCT-1", 900)
    email = _email()
    _signed_up(client, email)
    signed_in = _sign_in(client, email)
    session = _cookies(_session_id(signed_in))
    added = client.call(
        "POST", "/api/cart/items", {"sku": "ACCT-1", "quantity": 2}, headers=session
    )
    assert added.status == 200 and added.body["cart_id"] == f"user#{signed_in.body['sub']}"


def test_a_signed_in_checkout_without_an_address_mails_the_accounts_e_mail(client, shop, cart_env):
    shop.product("ACCT-MAIL", 900)
    email = _email()
    _signed_up(client, email)
    session = _cookies(_session_id(_sign_in(client, email)))
    client.call("POST", "/api/cart/items", {"sku": "ACCT-MAIL", "quantity": 1}, headers=session)
    order = client.call("POST", "/api/checkout", headers=session)
    assert order.status == 201, order.body
    with psycopg.connect(cart_env.database_url) as conn:
        row = conn.execute(
            "SELECT email FROM orders WHERE order_id = %s", (order.body["order_id"],)
        ).fetchone()
    assert row == (email,)


def test_an_expired_access_token_is_refreshed_server_side(client, store):
    session_id = _signed_in_session(client)
    before = store.get(session_id)
    assert before is not None
    store.replace_tokens(before, Tokens(before.tokens.access_token, before.tokens.refresh_token, 0))
    assert client.call("GET", "/api/account", headers=_cookies(session_id)).status == 200
    after = store.get(session_id)
    assert after is not None and after.tokens.expires_at > 0
    assert after.tokens.access_token != before.tokens.access_token


def test_sign_out_revokes_the_refresh_token_and_deletes_the_session(client, issuer, store):
    session_id = _signed_in_session(client)
    kept = store.get(session_id)
    assert kept is not None
    out = client.call("POST", "/api/account/sign-out", headers=_cookies(session_id))
    assert out.status == 200 and "Max-Age=0" in out.headers["Set-Cookie"]
    assert store.get(session_id) is None
    with pytest.raises(issuer.client.exceptions.NotAuthorizedException):
        issuer.client.initiate_auth(
            ClientId=issuer.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": kept.tokens.refresh_token},
        )
    assert client.call("GET", "/api/account", headers=_cookies(session_id)).status == 401


def test_sign_in_merges_the_guest_cart_once_and_keeps_the_guests_order(client, shop):
    shop.product("GUEST-1", 1500)
    shop.stock("GUEST-1", 10)
    guest = client.call("POST", "/api/cart/items", {"sku": "GUEST-1", "quantity": 1}).cookie()
    order = client.call("POST", "/api/checkout", headers=_cookies(cart=guest))
    assert order.status == 201, order.body
    client.call(
        "POST", "/api/cart/items", {"sku": "GUEST-1", "quantity": 2}, headers=_cookies(cart=guest)
    )
    email = _email()
    _signed_up(client, email)
    first = _sign_in(client, email, cart=guest)
    assert first.status == 200 and first.body["orders_adopted"] == 1
    session = _cookies(_session_id(first))
    cart = client.call("GET", "/api/cart", headers=session).body
    assert [(line["sku"], line["quantity"]) for line in cart["lines"]] == [("GUEST-1", 2)]
    again = _sign_in(client, email, cart=guest)  # the guest cookie is still in the browser
    assert again.body["orders_adopted"] == 0
    cart = client.call("GET", "/api/cart", headers=_cookies(_session_id(again))).body
    assert [(line["sku"], line["quantity"]) for line in cart["lines"]] == [("GUEST-1", 2)]
    mine = client.call("GET", "/api/orders", headers=session).body["orders"]
    assert [o["order_id"] for o in mine] == [order.body["order_id"]]
    read = client.call("GET", f"/api/orders/{order.body['order_id']}", headers=session)
    assert read.status == 200 and read.body["total_minor"] == 1500


def test_totp_enrolment_then_sign_in_asks_for_the_code(client, monkeypatch):
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")  # moto checks codes
    email = _email()
    _signed_up(client, email)
    session = _cookies(_session_id(_sign_in(client, email)))
    secret = client.call("POST", "/api/account/totp", headers=session).body
    assert secret["otpauth_uri"].startswith("otpauth://totp/shop3d:")
    wrong = client.call("POST", "/api/account/totp/verify", {"code": "000000"}, headers=session)
    assert wrong.status == 422
    ok = client.call(
        "POST", "/api/account/totp/verify", {"code": totp(secret["secret"])}, headers=session
    )
    assert ok.status == 200, ok.body
    step = _sign_in(client, email)
    assert step.status == 200 and step.body["mfa"] == "totp" and "Set-Cookie" not in step.headers
    answered = client.call(
        "POST",
        "/api/account/sign-in/totp",
        {"email": email, "challenge": step.body["challenge"], "code": totp(secret["secret"])},
    )
    assert answered.status == 200 and _session_id(answered)


def test_password_reset_with_the_code(client, issuer):
    email = _email()
    _signed_up(client, email)
    assert client.call("POST", "/api/account/password/forgot", {"email": email}).status == 202
    # Cognito e-mails the code; moto hands it back in a header instead.
    sent = issuer.client.forgot_password(ClientId=issuer.client_id, Username=email)
    code = sent["ResponseMetadata"]["HTTPHeaders"]["x-moto-forgot-password-confirmation-code"]
    new = "Shop3d-Changed-2!"
    wrong = {"email": email, "code": "moto-confirmation-code:000000", "password": new}
    assert client.call("POST", "/api/account/password/reset", wrong).status == 422
    reset = client.call(
        "POST", "/api/account/password/reset", {"email": email, "code": code, "password": new}
    )
    assert reset.status == 200, reset.body
    signed_in = client.call("POST", "/api/account/sign-in", {"email": email, "password": new})
    assert signed_in.status == 200 and _session_id(signed_in)


def test_a_wrong_password_an_existing_email_and_an_unconfirmed_account_are_problems(client):
    email = _email()
    assert (
        client.call("POST", "/api/account/sign-up", {"email": email, "password": PASSWORD}).status
        == 202
    )
    unconfirmed = _sign_in(client, email)
    assert unconfirmed.status == 403 and unconfirmed.content_type == "application/problem+json"
    again = client.call("POST", "/api/account/sign-up", {"email": email, "password": PASSWORD})
    assert again.status == 409
    client.call("POST", "/api/account/confirm", {"email": email, "code": "1"})
    wrong = client.call(
        "POST", "/api/account/sign-in", {"email": email, "password": "Wrong-Pass-9!"}
    )
    assert wrong.status == 401 and "password" in wrong.body["detail"]


def test_a_forged_session_cookie_is_a_401(client):
    reply = client.call("GET", "/api/cart", headers=_cookies("A" * 43))
    assert reply.status == 401 and "sign in again" in reply.body["detail"]
