"""A real HTTP server answering Cognito's managed login endpoints in their documented shape, for
the seam moto cannot serve (it has no /oauth2/* endpoints). Source: Amazon Cognito Developer
Guide, "User pool endpoints": the authorize endpoint (GET /oauth2/authorize: response_type=code,
client_id, redirect_uri, state, scope, code_challenge_method=S256, code_challenge; a 302 to
redirect_uri with code and state), the token endpoint (POST /oauth2/token, form-encoded
grant_type=authorization_code, client_id, redirect_uri, code, code_verifier; 200 JSON with
access_token, id_token, refresh_token, token_type "Bearer", expires_in; 400 JSON {"error":
"invalid_request" | "invalid_client" | "invalid_grant" | "unauthorized_client" |
"unsupported_grant_type"}), the userInfo endpoint (GET /oauth2/userInfo with the access token as
a bearer token: sub, email, email_verified, username).

The tokens it hands out are moto's (a real sign-in in moto's Cognito), so the cart verifies
them as it verifies any: this server stands in for the browser's trip through the hosted pages
and for the code exchange, nothing else. Codes are single use, bound to the client, the
redirect URI and the PKCE challenge, as Cognito binds them."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from local.cognito import SignedIn


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    user: SignedIn
    email: str


@dataclass
class ManagedLoginEndpoints:
    client_id: str
    # Who "signs in" on the hosted pages next: an e-mail and its moto tokens.
    sign_in: Callable[[], tuple[str, SignedIn]]
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    emails: dict[str, str] = field(default_factory=dict)  # access token -> e-mail

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        required = ("response_type", "client_id", "redirect_uri", "state", "code_challenge")
        if any(not query.get(name) for name in required) or query["response_type"] != "code":
            return _error(400, "invalid_request")
        if query["client_id"] != self.client_id:
            return _error(400, "unauthorized_client")
        if query.get("code_challenge_method") != "S256":
            return _error(400, "invalid_request")
        email, user = self.sign_in()
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(
            query["client_id"], query["redirect_uri"], query["code_challenge"], user, email
        )
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": location}, b""

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.token_requests.append(form)
        if form.get("grant_type") != "authorization_code":
            return _error(400, "unsupported_grant_type")
        grant = self.grants.pop(form.get("code", ""), None)  # single use
        if grant is None or grant.client_id != form.get("client_id"):
            return _error(400, "invalid_grant")
        if grant.redirect_uri != form.get("redirect_uri"):
            return _error(400, "invalid_grant")
        if s256(form.get("code_verifier", "")) != grant.challenge:
            return _error(400, "invalid_grant")
        self.emails[grant.user.access_token] = grant.email
        body = {
            "access_token": grant.user.access_token,
            "id_token": grant.user.id_token,
            "refresh_token": grant.user.refresh_token,
            "token_type": "Bearer",
            "expires_in": grant.user.expires_in,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def user_info(self, authorization: str) -> tuple[int, dict[str, str], bytes]:
        token = authorization.removeprefix("Bearer ")
        email = self.emails.get(token)
        if email is None:
            return _error(401, "invalid_token")
        body = {"sub": "", "email": email, "email_verified": "true", "username": email}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _error(status: int, code: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps({"error": code}).encode()


def _single(values: dict[str, list[str]]) -> dict[str, str]:
    return {key: found[0] for key, found in values.items()}


class _Handler(BaseHTTPRequestHandler):
    endpoints: ManagedLoginEndpoints

    def _answer(self, answer: tuple[int, dict[str, str], bytes]) -> None:
        status, headers, body = answer
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/oauth2/authorize":
            self._answer(self.endpoints.authorize(_single(parse_qs(url.query))))
        elif url.path == "/oauth2/userInfo":
            self._answer(self.endpoints.user_info(self.headers.get("Authorization", "")))
        else:
            self._answer(_error(404, "not_found"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        if urlsplit(self.path).path != "/oauth2/token":
            self._answer(_error(404, "not_found"))
        elif self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            self._answer(_error(400, "invalid_request"))
        else:
            self._answer(self.endpoints.token(_single(parse_qs(body))))

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests assert on what the endpoints recorded."""


@dataclass
class RunningEndpoints:
    url: str
    endpoints: ManagedLoginEndpoints
    server: ThreadingHTTPServer

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(endpoints: ManagedLoginEndpoints) -> RunningEndpoints:
    handler = type("Handler", (_Handler,), {"endpoints": endpoints})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    return RunningEndpoints(f"http://127.0.0.1:{port}", endpoints, server)
