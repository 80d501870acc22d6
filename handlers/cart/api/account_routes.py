"""The account routes of the backend-for-frontend, under /api/account: sign-up and e-mail
confirmation, sign-in (with a TOTP step when enrolled), the current account, TOTP enrolment,
password reset, sign-out (the shopper's orders are routes.py's /api/orders).

Signing in sets an HttpOnly, Secure, SameSite=Lax cookie holding only a random session id; the
guest cart merges into the account once and the guest's orders move to it, so an order placed
as a guest stays readable after sign-in.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.shared.cookies import Cookie

from handlers.cart.accounts.managed_login import COOKIE_NAME as LOGIN_COOKIE
from handlers.cart.accounts.managed_login import LOGIN_SECONDS, ManagedLogin
from handlers.cart.accounts.sessions import COOKIE_NAME as SESSION_COOKIE
from handlers.cart.accounts.sessions import Session, Tokens
from handlers.cart.api import responses as documented
from handlers.cart.api.bodies import (
    Confirmation,
    Credentials,
    ForgotPassword,
    ResetPassword,
    TotpAnswer,
    TotpCode,
)
from handlers.cart.api.owners import Owner
from handlers.cart.api.problems import not_found, unauthorized
from handlers.cart.api.routes import JSON, _cookie, _guest, _svc, api_cookie

# Where managed login sends the browser back (the app client's callback URL's path:
# stack_config.config.CALLBACK_PATH, held equal by a test), and where the callback then goes.
CALLBACK_ROUTE = "/api/account/callback"
ACCOUNT_PAGE = "/account"
router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated
# What a call to Cognito's public API may answer besides success.
IDENTITY_ERRORS = (401, 413, 422, 429, 502)


def _session_cookie(value: str, max_age: int) -> Cookie:
    return api_cookie(SESSION_COOKIE, value, max_age)


def _json(status: int, body: Any, cookies: list[Cookie] | None = None) -> Response[str]:
    import json

    return Response(status_code=status, content_type=JSON, body=json.dumps(body), cookies=cookies)


def _account(session: Session) -> dict[str, Any]:
    return {"sub": session.sub, "email": session.email}


def _signed_in(email: str, tokens: Tokens) -> Response[str]:
    """A new session; the guest cart merged into the account once, the guest's orders moved."""
    services = _svc()
    session = services.accounts.open_session(email, tokens)
    user = Owner("user", session.sub)
    # One Set-Cookie per response (the target group has multi-value headers off): the session
    # cookie. The guest cookie stays; its cart is merged once (recorded in the user's cart).
    cookies = [_session_cookie(session.session_id, services.accounts.sessions.lifetime_seconds)]
    guest, _ = _guest(create=False)
    merged: dict[str, Any] = {"not_merged": []}
    adopted = 0
    if guest is not None:
        merged = services.carts.merge(user, guest)
        if services.settings.database is not None:
            adopted = services.history.adopt(guest, user)
    body = {**_account(session), "not_merged": merged["not_merged"], "orders_adopted": adopted}
    return _json(200, body, cookies)


def _redirect(location: str, cookie: Cookie) -> Response[str]:
    return Response(
        status_code=302,
        content_type="text/plain",
        body="",
        headers={"Location": location, "Cache-Control": "no-store"},
        cookies=[cookie],
    )


def _managed_login() -> ManagedLogin:
    login = _svc().managed_login
    if login is None:
        raise not_found("managed login is not configured here: sign in with e-mail and password")
    return login


def _session() -> Session:
    session_id = _cookie(SESSION_COOKIE)
    if session_id is None:
        raise unauthorized("not signed in: sign in first")
    return _svc().accounts.current(session_id)


@router.post(
    "/api/account/sign-up",
    summary="Create an account; Cognito e-mails a confirmation code",
    responses=documented.documented(documented.Accepted, 409, *IDENTITY_ERRORS, ok=202),
)
def sign_up(body: Annotated[Credentials, Body()]) -> Response[str]:
    _svc().accounts.identity.sign_up(body.email, body.password)
    return _json(202, {"status": "confirmation code sent", "email": body.email})


@router.post(
    "/api/account/confirm",
    summary="Confirm the e-mail with the code Cognito sent",
    responses=documented.documented(documented.Accepted, *IDENTITY_ERRORS),
)
def confirm(body: Annotated[Confirmation, Body()]) -> Response[str]:
    _svc().accounts.identity.confirm_sign_up(body.email, body.code)
    return _json(200, {"status": "confirmed", "email": body.email})


@router.post(
    "/api/account/sign-in",
    summary="Sign in with e-mail and password (a TOTP step follows when enrolled)",
    responses=documented.documented(documented.SignedIn, 403, *IDENTITY_ERRORS),
)
def sign_in(body: Annotated[Credentials, Body()]) -> Response[str]:
    result = _svc().accounts.identity.sign_in(body.email, body.password)
    if result.tokens is None:
        return _json(200, {"mfa": "totp", "challenge": result.challenge_session})
    return _signed_in(body.email, result.tokens)


@router.post(
    "/api/account/sign-in/totp",
    summary="Answer the TOTP step of a sign-in",
    responses=documented.documented(documented.SignedIn, *IDENTITY_ERRORS),
)
def sign_in_totp(body: Annotated[TotpAnswer, Body()]) -> Response[str]:
    tokens = _svc().accounts.identity.answer_totp(body.email, body.challenge, body.code)
    return _signed_in(body.email, tokens)


@router.get(
    "/api/account",
    summary="The signed-in account",
    responses=documented.documented(documented.Account, 401),
)
def account() -> Response[str]:
    return _json(200, _account(_session()))


@router.post(
    "/api/account/sign-out",
    summary="Sign out: the refresh token is revoked and the session deleted",
    responses=documented.documented(documented.Accepted, 502),
)
def sign_out() -> Response[str]:
    session_id = _cookie(SESSION_COOKIE)
    if session_id is not None:
        _svc().accounts.close(session_id)
    return _json(200, {"status": "signed out"}, [_session_cookie("", 0)])


@router.post(
    "/api/account/totp",
    summary="Start TOTP enrolment: the secret for an authenticator app",
    responses=documented.documented(documented.TotpSecret, 401, 502),
)
def totp_start() -> Response[str]:
    session = _session()
    return _json(200, _svc().accounts.identity.start_totp(session.tokens, session.email))


@router.post(
    "/api/account/totp/verify",
    summary="Finish TOTP enrolment with a code from the app; TOTP is then required",
    responses=documented.documented(documented.Accepted, 401, 413, 422, 502),
)
def totp_verify(body: Annotated[TotpCode, Body()]) -> Response[str]:
    session = _session()
    _svc().accounts.identity.verify_totp(session.tokens, body.code)
    return _json(200, {"status": "totp enabled"})


@router.post(
    "/api/account/password/forgot",
    summary="Send a password reset code to the e-mail",
    responses=documented.documented(documented.Accepted, *IDENTITY_ERRORS, ok=202),
)
def forgot_password(body: Annotated[ForgotPassword, Body()]) -> Response[str]:
    _svc().accounts.identity.forgot_password(body.email)
    return _json(202, {"status": "reset code sent", "email": body.email})


@router.post(
    "/api/account/password/reset",
    summary="Set a new password with the reset code",
    responses=documented.documented(documented.Accepted, *IDENTITY_ERRORS),
)
def reset_password(body: Annotated[ResetPassword, Body()]) -> Response[str]:
    _svc().accounts.identity.reset_password(body.email, body.code, body.password)
    return _json(200, {"status": "password changed", "email": body.email})


# A redirect (no body) or a problem: managed login runs in the browser's address bar.
_REDIRECTS = {
    302: {"description": "a redirect (Location): to managed login, or back to the account page"},
    **{
        s: a
        for s, a in documented.documented(documented.Accepted, 401, 404, 502).items()
        if s != 200
    },
}


@router.get(
    "/api/account/managed-login",
    summary="Start managed login (code + PKCE): a redirect to the pool's /oauth2/authorize",
    responses=_REDIRECTS,
)
def managed_login_start(
    provider: Annotated[str | None, Query(max_length=32)] = None,
) -> Response[str]:
    authorize_url, login = _managed_login().start(provider)
    return _redirect(authorize_url, api_cookie(LOGIN_COOKIE, login, LOGIN_SECONDS))


@router.get(
    CALLBACK_ROUTE,
    summary="Managed login's callback: state checked, code exchanged with the PKCE verifier",
    responses=_REDIRECTS,
)
def managed_login_callback(
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=2048)] = None,
) -> Response[str]:
    tokens, email = _managed_login().finish(code, state, _cookie(LOGIN_COOKIE))
    signed_in = _signed_in(email, tokens)
    (cookie,) = signed_in.cookies
    return _redirect(ACCOUNT_PAGE, cookie)
