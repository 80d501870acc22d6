"""Cognito's managed login (the hosted pages, social providers) for the backend-for-frontend:
the authorization code flow with PKCE (RFC 7636, S256), finished on the server.

`start` makes a random `state` and PKCE verifier, seals both into a short-lived HttpOnly cookie
(AES-256-GCM under a key of their own, derived from the cart cookie key like the sessions'), and
gives the /oauth2/authorize URL to redirect to. `finish` (the callback) opens that cookie, checks
that the `state` Cognito sent back is the one it holds (a login this browser did not start is
refused), exchanges the code at the domain's /oauth2/token with the verifier, and reads the
e-mail from /oauth2/userInfo. The tokens never reach the browser: the caller stores them in a
session. Endpoints and answers as Cognito's user pool endpoints reference documents them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from handlers.cart.accounts.sessions import Tokens
from handlers.cart.api.problems import Problem, bad_request, unauthorized

COOKIE_NAME: Final = "shop3d_login"
LOGIN_SECONDS: Final = 600  # how long a started login may take to come back
SCOPES: Final = "openid email profile"  # components/identity.py OAUTH_SCOPES
# The providers the pool may federate (stack_config's SocialProvider) plus its own users.
PROVIDERS: Final = ("COGNITO", "Google", "Facebook", "SignInWithApple")
TIMEOUT_S: Final = 5.0
_KEY_LABEL: Final = b"shop3d-managed-login:v1"
_NONCE_BYTES: Final = 12
# RFC 7636: a verifier of 43-128 unreserved characters; 64 random bytes give 86.
_VERIFIER_BYTES: Final = 64
_MAX_FIELD: Final = 2048  # code and state as Cognito sends them are far shorter


def login_key(cookie_key: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_LABEL)
    return hkdf.derive(cookie_key)


def code_challenge(verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class ManagedLogin:
    domain_url: str  # https://<prefix>.auth.<region>.amazoncognito.com (or a custom domain)
    client_id: str
    redirect_uri: str  # the callback URL registered on the app client
    key: bytes

    def start(self, provider: str | None) -> tuple[str, str]:
        """Where to send the browser (/oauth2/authorize), and the login cookie's value (the
        sealed state and verifier)."""
        if provider is not None and provider not in PROVIDERS:
            raise bad_request(f"provider must be one of {', '.join(PROVIDERS)}")
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(_VERIFIER_BYTES)
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": SCOPES,
            "state": state,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        if provider is not None:
            query["identity_provider"] = provider
        url = f"{self.domain_url}/oauth2/authorize?{urllib.parse.urlencode(query)}"
        return url, self._seal({"state": state, "verifier": verifier})

    def finish(self, code: str | None, state: str | None, cookie: str | None) -> tuple[Tokens, str]:
        """The user's tokens (for the caller to keep server-side) and e-mail (from userInfo)."""
        if not code or not state or len(code) > _MAX_FIELD or len(state) > _MAX_FIELD:
            raise bad_request("the callback needs the code and the state managed login sent")
        started = self._open(cookie)
        if started is None:
            raise unauthorized("no sign-in was started in this browser (or it expired): retry")
        if not secrets.compare_digest(started["state"].encode(), state.encode("utf-8", "replace")):
            raise unauthorized("the state does not match the sign-in this browser started")
        answer = self._token(code, started["verifier"])
        tokens = Tokens(
            access_token=str(answer["access_token"]),
            refresh_token=str(answer.get("refresh_token") or ""),
            expires_at=int(time.time()) + int(answer.get("expires_in", 3600)),
        )
        return tokens, self._email(tokens.access_token)

    # -- the endpoints ------------------------------------------------------------------------
    def _token(self, code: str, verifier: str) -> dict[str, Any]:
        """POST /oauth2/token, grant_type=authorization_code (a public client: no secret)."""
        form = urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": verifier,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - an https URL from the stack's config
            f"{self.domain_url}/oauth2/token",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        answer = _json(request)
        if "access_token" not in answer:
            raise Problem(502, "identity-error", "the token endpoint answered without tokens")
        return answer

    def _email(self, access_token: str) -> str:
        request = urllib.request.Request(  # noqa: S310 - an https URL from the stack's config
            f"{self.domain_url}/oauth2/userInfo",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        email = _json(request).get("email")
        if not isinstance(email, str) or not email:
            raise Problem(502, "identity-error", "the user has no e-mail (scope email refused?)")
        return email

    # -- the login cookie --------------------------------------------------------------------
    def _seal(self, value: dict[str, str]) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps({**value, "until": int(time.time()) + LOGIN_SECONDS}).encode()
        sealed = AESGCM(self.key).encrypt(nonce, plain, _KEY_LABEL)
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def _open(self, cookie: str | None) -> dict[str, str] | None:
        if not cookie or len(cookie) > _MAX_FIELD or not cookie.isascii():
            return None
        try:
            raw = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
            plain = AESGCM(self.key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _KEY_LABEL)
        except Exception:  # not base64, too short, altered or sealed under another key
            return None
        value: dict[str, Any] = json.loads(plain)
        if int(value["until"]) < time.time():
            return None
        return {"state": str(value["state"]), "verifier": str(value["verifier"])}


def _json(request: urllib.request.Request) -> dict[str, Any]:
    """An endpoint's JSON answer; its 4xx (invalid_grant: a used, expired or foreign code, or a
    verifier that does not match) a 401 that says to sign in again; anything else a 502."""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500:
            raise unauthorized(
                f"managed login refused the sign-in ({_error(error)}): retry"
            ) from None
        raise Problem(502, "identity-error", "the identity service failed; retry later") from None
    except (urllib.error.URLError, TimeoutError, ValueError):
        raise Problem(502, "identity-error", "the identity service failed; retry later") from None
    if not isinstance(answer, dict):
        raise Problem(502, "identity-error", "the identity service answered no JSON object")
    return answer


def _error(error: urllib.error.HTTPError) -> str:
    """The OAuth `error` code of a refusal (invalid_grant, invalid_request, ...)."""
    try:
        code = json.loads(error.read()).get("error")
    except (ValueError, AttributeError):
        code = None
    return str(code) if isinstance(code, str) and code.isascii() and len(code) < 64 else "refused"
