"""Managed login (authorization code + PKCE) finished by the cart's callback route, at the seam
moto cannot serve: a real HTTP server answering Cognito's /oauth2/authorize, /oauth2/token and
/oauth2/userInfo in their documented shape (tests/cart/oauth_endpoints.py) with tokens moto's
Cognito issued, so the cart verifies them as it verifies any. What is real here: the redirect
the cart builds, the sealed login cookie, the state check, the code exchange with the verifier,
the session it makes (DynamoDB Local). What is not: Cognito's hosted pages themselves."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3

from handlers.cart.accounts.managed_login import COOKIE_NAME as LOGIN_COOKIE
from handlers.cart.accounts.managed_login import code_challenge
from handlers.cart.accounts.sessions import COOKIE_NAME as SESSION_COOKIE
from handlers.cart.api import lambda_entry
from handlers.cart.api.account_routes import ACCOUNT_PAGE, CALLBACK_ROUTE
from handlers.cart.settings import Settings
from handlers.cart.wiring import Services
from handlers.shared import env
from local.cognito import LocalUserPool, SignedIn
from stack_config.config import CALLBACK_PATH
from tests.cart.oauth_endpoints import ManagedLoginEndpoints, RunningEndpoints, serve

CALLBACK_URL = f"https://shop.example{CALLBACK_PATH}"


@pytest.fixture(scope="module")
def endpoints(issuer: LocalUserPool) -> Iterator[RunningEndpoints]:
    def sign_in() -> tuple[str, SignedIn]:
        email = f"social-{uuid.uuid4().hex[:10]}@example.com"
        return email, issuer.token(email)

    running = serve(ManagedLoginEndpoints(issuer.client_id, sign_in))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def _lambda_module(cart_world: Any, endpoints: RunningEndpoints) -> Iterator[Any]:
    """The Lambda module with managed login configured at the stand-in endpoints."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(env.AUTH_DOMAIN_URL, endpoints.url)
        patch.setenv(env.AUTH_CALLBACK_URL, CALLBACK_URL)
        lambda_entry.use_services(Services.from_settings(Settings.from_env()))
        yield lambda_entry


def _cookie(reply: Any, name: str) -> tuple[str, str]:
    """The value and the attributes of the one cookie the reply sets, which must be `name`."""
    header = str(reply.headers.get("Set-Cookie", ""))
    key, _, rest = header.partition("=")
    assert key == name, header
    value, _, attributes = rest.partition(";")
    return value, attributes


def _browser_goes_to(location: str) -> str:
    """What the browser does with the redirect: asks the authorize endpoint, which (the user
    signed in on the hosted pages) redirects to the callback. Returns that Location."""
    answer = urllib3.request("GET", location, redirect=False, timeout=5)
    assert answer.status == 302, answer.data
    return str(answer.headers["Location"])


def _started(client: Any, query: dict[str, str] | None = None) -> tuple[str, str]:
    reply = client.call("GET", "/api/account/managed-login", query=query)
    assert reply.status == 302
    login, attributes = _cookie(reply, LOGIN_COOKIE)
    assert "HttpOnly" in attributes and "Secure" in attributes and "SameSite=Lax" in attributes
    return reply.headers["Location"], login


def _callback(client: Any, location: str, login: str | None) -> Any:
    url = urlsplit(location)
    assert f"{url.scheme}://{url.netloc}{url.path}" == CALLBACK_URL
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    headers = {"cookie": f"{LOGIN_COOKIE}={login}"} if login is not None else None
    return client.call("GET", CALLBACK_ROUTE, query=query, headers=headers)


def test_the_callback_route_is_the_app_clients_callback_path() -> None:
    assert CALLBACK_ROUTE == CALLBACK_PATH


def test_managed_login_exchanges_the_code_with_the_pkce_verifier_and_keeps_tokens_server_side(
    client: Any, endpoints: RunningEndpoints
) -> None:
    location, login = _started(client)
    authorize = urlsplit(location)
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == (
        f"{endpoints.url}/oauth2/authorize"
    )
    query = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["client_id"] == endpoints.endpoints.client_id
    assert query["redirect_uri"] == CALLBACK_URL
    assert query["scope"] == "openid email profile"
    assert len(query["state"]) >= 43 and len(query["code_challenge"]) == 43
    # Neither the state nor the verifier is readable in the login cookie: it is sealed.
    assert query["state"] not in login
    back = _browser_goes_to(location)
    signed_in = _callback(client, back, login)
    assert signed_in.status == 302 and signed_in.headers["Location"] == ACCOUNT_PAGE
    session, attributes = _cookie(signed_in, SESSION_COOKIE)
    assert "HttpOnly" in attributes and "Secure" in attributes
    assert "." not in session  # a random id, no JWT
    (exchange,) = endpoints.endpoints.token_requests[-1:]
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["redirect_uri"] == CALLBACK_URL
    assert code_challenge(exchange["code_verifier"]) == query["code_challenge"]
    assert 43 <= len(exchange["code_verifier"]) <= 128  # RFC 7636 section 4.1
    account = client.call("GET", "/api/account", headers={"cookie": f"{SESSION_COOKIE}={session}"})
    assert account.status == 200
    assert account.body["email"] in endpoints.endpoints.emails.values()


def test_a_callback_whose_state_is_not_the_started_logins_is_refused_before_any_exchange(
    client: Any, endpoints: RunningEndpoints
) -> None:
    location, _ = _started(client)
    _, other_login = _started(client)  # another login's cookie: another state
    back = _browser_goes_to(location)
    before = len(endpoints.endpoints.token_requests)
    refused = _callback(client, back, other_login)
    assert refused.status == 401 and "state" in refused.body["detail"]
    assert len(endpoints.endpoints.token_requests) == before


def test_a_callback_without_the_login_cookie_or_with_a_forged_one_is_refused(
    client: Any,
) -> None:
    location, login = _started(client)
    back = _browser_goes_to(location)
    assert _callback(client, back, None).status == 401
    forged = login[:-4] + ("AAAA" if not login.endswith("AAAA") else "BBBB")
    assert _callback(client, back, forged).status == 401
    assert _callback(client, back, "é" * 10).status == 401


def test_a_code_used_twice_is_refused_by_the_token_endpoint_and_answers_401(client: Any) -> None:
    location, login = _started(client)
    back = _browser_goes_to(location)
    assert _callback(client, back, login).status == 302
    again = _callback(client, back, login)
    assert again.status == 401 and "invalid_grant" in again.body["detail"]


def test_a_callback_without_a_code_is_a_400_and_an_unknown_provider_too(client: Any) -> None:
    _, login = _started(client)
    reply = client.call(
        "GET", CALLBACK_ROUTE, query={"state": "x"}, headers={"cookie": f"{LOGIN_COOKIE}={login}"}
    )
    assert reply.status == 400
    assert client.call("GET", "/api/account/managed-login", query={"provider": "X"}).status == 400


def test_a_named_provider_goes_straight_to_it(client: Any) -> None:
    location, _ = _started(client, {"provider": "Google"})
    assert parse_qs(urlsplit(location).query)["identity_provider"] == ["Google"]
