"""One origin on loopback, laid out as CloudFront serves the site in AWS:

    /api/*     the cart API: each request becomes an ALB event for the real cart Lambda
               handler (its Powertools decorators included), one at a time, as one
               Lambda container serves them
    /assets/*  the assets bucket (moto's S3): the URL of key K is "/" + K
    /*         the built storefront (storefront/dist), index.html at /

plus one route that exists only here: GET /local/token?user=<name> mints an access token from
the local token issuer (the stand-in for Cognito's sign-in; the cart service trusts the issuer
through its configuration, SHOP3D_AUTH_*).

Limits: HTTP/1.1 without TLS on loopback; request bodies up to 1 MiB (Lambda's ALB limit);
no Range requests or conditional GETs on assets.
"""

from __future__ import annotations

import json
import mimetypes
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs, unquote, urlsplit

from botocore.exceptions import ClientError

from handlers.cart.api.problems import PROBLEM_CONTENT_TYPE, Problem
from handlers.shared.storage import ASSETS_PREFIX
from local.alb_event import MAX_BODY_BYTES, HttpReply, http_reply, http_request_event
from local.lambda_runtime import LambdaContext
from local.servers import LOOPBACK

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from local.token_issuer import TokenIssuer

API_PREFIX: Final = "/api/"
TOKEN_PATH: Final = "/local/token"  # noqa: S105 - a URL path, not a secret
_USER = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
_TYPES: Final = {".wasm": "application/wasm", ".glb": "model/gltf-binary", ".js": "text/javascript"}
LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def problem_reply(status: int, slug: str, detail: str) -> HttpReply:
    body = Problem(status, slug, detail).json().encode()
    return HttpReply(status, [("Content-Type", PROBLEM_CONTENT_TYPE)], body)


@dataclass
class Site:
    """What the origin serves; `reply` answers one request."""

    dist_dir: Path
    s3: S3Client
    assets_bucket: str
    cart_handler: LambdaHandler
    issuer: TokenIssuer | None = None

    def __post_init__(self) -> None:
        self._dist = self.dist_dir.resolve()
        self._one_container = threading.Lock()  # Powertools' resolver keeps per-request state

    def reply(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, port: int
    ) -> HttpReply:
        path = urlsplit(target).path
        if path.startswith(API_PREFIX):
            event = http_request_event(method, target, headers, body, LOOPBACK, port)
            with self._one_container:
                response = self.cart_handler(event, LambdaContext())
            return http_reply(response)
        if method not in {"GET", "HEAD"}:
            return problem_reply(405, "method-not-allowed", f"{method} is allowed on /api/* only")
        if path == TOKEN_PATH:
            return self._token(target)
        if path.startswith("/" + ASSETS_PREFIX):
            return self._asset(unquote(path[1:]))
        return self._static(unquote(path))

    def _token(self, target: str) -> HttpReply:
        if self.issuer is None:
            return problem_reply(404, "not-found", "no local token issuer is running")
        user = parse_qs(urlsplit(target).query).get("user", ["local-user"])[-1]
        if not _USER.fullmatch(user):
            return problem_reply(
                422, "validation-error", f"user {user[:80]!r}: use 1-64 of A-Z a-z 0-9 . _ @ -"
            )
        token = self.issuer.mint(user)
        document = {"access_token": token, "token_type": "Bearer", "sub": user}
        return HttpReply(200, [("Content-Type", "application/json")], json.dumps(document).encode())

    def _asset(self, key: str) -> HttpReply:
        try:
            found = self.s3.get_object(Bucket=self.assets_bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return problem_reply(404, "not-found", f"no asset at /{key}")
            raise
        headers = [("Content-Type", found.get("ContentType", "application/octet-stream"))]
        if "CacheControl" in found:
            headers.append(("Cache-Control", found["CacheControl"]))
        return HttpReply(200, headers, found["Body"].read())

    def _static(self, path: str) -> HttpReply:
        file = (self._dist / (path.lstrip("/") or "index.html")).resolve()
        if not file.is_relative_to(self._dist) or not file.is_file():
            return problem_reply(404, "not-found", f"no file at {path} in the storefront")
        kind = _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
        # index.html names the hashed bundles: always revalidate it; the bundles never change.
        cache = "no-cache" if file.suffix == ".html" else "public, max-age=31536000, immutable"
        headers = [("Content-Type", kind or "application/octet-stream"), ("Cache-Control", cache)]
        return HttpReply(200, headers, file.read_bytes())


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the browser reuses its connections
    server: SiteServer

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            reply = problem_reply(
                413, "too-large", f"request body is {length} bytes; at most {MAX_BODY_BYTES}"
            )
            self.close_connection = True  # the unread body must not be taken as a request
        else:
            body = self.rfile.read(length) if length else b""
            try:
                reply = self.server.site.reply(
                    self.command,
                    self.path,
                    list(self.headers.items()),
                    body,
                    self.server.server_port,
                )
            except Exception as error:  # an adapter fault: say so, keep serving
                self.log_error("failed %s %s: %r", self.command, self.path, error)
                reply = problem_reply(502, "bad-gateway", f"the local adapter failed: {error!r}")
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)


class SiteServer(ThreadingHTTPServer):
    """Binds its port when made (so a busy port fails fast); serves once given a Site."""

    daemon_threads = True

    def __init__(self, host: str, port: int, log_requests: bool = False) -> None:
        try:
            super().__init__((host, port), _RequestHandler)
        except OSError as error:
            raise OSError(
                f"cannot listen on {host}:{port} ({error.strerror}): choose another port"
                " (--port, 0 for any free one)"
            ) from error
        self.log_requests = log_requests
        self._site: Site | None = None
        self._thread = threading.Thread(target=self.serve_forever, name="site", daemon=True)

    @property
    def site(self) -> Site:
        if self._site is None:
            raise RuntimeError("the site server has nothing to serve yet")
        return self._site

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"

    def serve(self, site: Site) -> None:
        self._site = site
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self.shutdown()
        self.server_close()
