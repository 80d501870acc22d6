"""The local origin as an ASGI app, laid out as CloudFront serves the site in AWS:

    /api/*     the cart API: each request becomes an ALB event (local.alb_event) for the real
               cart Lambda handler, run in a pool of worker processes (local.cart_pool)
    /assets/*  the assets bucket (moto's S3): the URL of key K is "/" + K; Range, If-None-Match
               and If-Modified-Since are handed to S3's GetObject, as CloudFront forwards them
    /, /products/<sku>, /categories/<slug>, /sitemap.xml, /robots.txt, /healthz, and the
               storefront's own routes (/cart, /account, ...): the page renderer (handlers.pages),
               as the web tier serves them behind CloudFront in AWS
    /*         the built storefront (storefront/dist), index.html at /; ETag/Last-Modified with
               304, Range with 206 (Starlette's StaticFiles); each file's Cache-Control is the
               one the storefront bucket's object carries (components.edge.site_files)

plus GET /local/token?user=<e-mail>[&group=sellers|admins ...], only here: it signs that user in
to the user pool in moto's Cognito (created on first use, with the local password; added to each
`group` first) and returns its access token. That is how one becomes a seller or an admin locally.

Responses are gzipped as CloudFront compresses them (behaviours with compression on): bodies of
1,000 bytes or more when the browser accepts gzip, never the already-compressed images and GLBs.

Every error is a problem+json document, but for a browser's navigation to a path with no page or
file: the renderer's HTML 404 page (handlers.pages.app.Pages.not_found), as on the web tier.
Request bodies are capped at 1 MiB (Lambda's ALB limit) while they are read, whatever
Content-Length said; the request line and headers at 16 KiB (431).
"""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from botocore.exceptions import ClientError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from components.edge.site_files import cache_control
from handlers.cart.api.problems import PROBLEM_CONTENT_TYPE, Problem
from handlers.shared.groups import GROUP_NAMES
from handlers.shared.storage import ASSETS_PREFIX
from local.alb_event import MAX_BODY_BYTES, http_reply, http_request_event

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from handlers.pages.app import Pages
    from local.cognito import LocalUserPool

TOKEN_PATH: Final = "/local/token"  # noqa: S105 - a URL path, not a secret
_USER = re.compile(r"^[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9.-]{1,190}$")
_TYPES: Final = {".wasm": "application/wasm", ".glb": "model/gltf-binary", ".js": "text/javascript"}
READ_METHODS: Final = ("GET", "HEAD")
# CloudFront compresses objects of 1,000 to 10,000,000 bytes of its listed types (text, JavaScript,
# JSON, wasm, SVG: not images or GLBs): docs.aws.amazon.com/AmazonCloudFront/latest/
# DeveloperGuide/ServingCompressedFiles.html. Starlette's middleware takes the exclusions.
COMPRESS_MIN_BYTES: Final = 1000
NOT_COMPRESSED: Final = (
    "text/event-stream",
    "model/gltf-binary",
    "model/vnd.usdz+zip",
    "application/octet-stream",
    "image/avif",
    "image/webp",
    "image/png",
    "image/jpeg",
)
# The request line and headers of one request, at most (a 431 past it). h11 caps only a request
# still incomplete in its buffer, and Hypercorn hands it 64 KiB at a time, so a request that
# arrives whole passes up to ~64 KiB: the complete request is measured here too. CloudFront
# allows more (a request's headers and query string 20,480 bytes, a URL 8,192: "Quotas",
# Amazon CloudFront Developer Guide), so what passes here passes there.
MAX_HEADER_BYTES: Final = 16 * 1024
CartInvoker = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
# S3 object fields answered as HTTP headers, as CloudFront passes them on.
_OBJECT_HEADERS: Final = {
    "ContentType": "Content-Type",
    "CacheControl": "Cache-Control",
    "ETag": "ETag",
    "ContentRange": "Content-Range",
    "ContentLength": "Content-Length",
}


def problem(status: int, slug: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    body = Problem(status, slug, detail).json()
    return Response(body, status, headers=headers, media_type=PROBLEM_CONTENT_TYPE)


def _not_allowed(method: str, path: str) -> Response:
    allowed = ", ".join(READ_METHODS)
    detail = f"{method} is not allowed on {path}; allowed: {allowed} (other methods: /api/*)"
    return problem(405, "method-not-allowed", detail, {"Allow": allowed})


class _Storefront(StaticFiles):
    """The built storefront: problems instead of plain-text errors, and the bucket's caching:
    the Cache-Control its objects carry in AWS (content-hashed names under static/ a year,
    the rest revalidated), which CloudFront passes on to the browser unchanged."""

    def __init__(self, *, directory: Path, pages: Pages | None) -> None:
        super().__init__(directory=directory, html=True)
        self.pages = pages

    def _missing(self, scope: Scope, detail: str) -> Response:
        """A browser's navigation gets the renderer's 404 page, as on the web tier; any other
        client a problem document."""
        page = self.pages.not_found(Request(scope)) if self.pages is not None else None
        return page if page is not None else problem(404, "not-found", detail)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] not in READ_METHODS:
            return _not_allowed(scope["method"], scope["path"])
        if "\x00" in path:  # from %00: the file system refuses it with ValueError
            return self._missing(scope, "a path with a NUL byte names no file")
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404:
                return problem(error.status_code, "not-found", f"no file at {scope['path']}")
            return self._missing(scope, f"no file at {scope['path']}")
        if response.status_code in (200, 206, 304):
            # `path` is the file's path under the site root: the object's key in the bucket.
            response.headers["Cache-Control"] = cache_control(Path(path).as_posix())
            kind = _TYPES.get(Path(path).suffix)
            if kind is not None and response.status_code != 304:
                response.headers["Content-Type"] = kind
        return response


async def _body(request: Request) -> bytes | Response:
    """The request body, read up to the limit; a 413 problem past it."""
    declared = request.headers.get("content-length")
    too_large = problem(
        413, "too-large", f"request body is over {MAX_BODY_BYTES} bytes; at most {MAX_BODY_BYTES}"
    )
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return too_large
        chunks.append(chunk)
    return b"".join(chunks)


def header_bytes(scope: Scope) -> int:
    """The size of the request line and headers as sent: METHOD SP target SP HTTP/1.1 CRLF,
    each `name: value` CRLF, the empty line."""
    target = len(scope.get("raw_path") or scope["path"].encode())
    query = scope.get("query_string", b"")
    target += 1 + len(query) if query else 0
    line = len(scope["method"]) + 1 + target + len(" HTTP/1.1\r\n")
    return line + sum(len(k) + 2 + len(v) + 2 for k, v in scope["headers"]) + 2


class HeaderCap:
    """ASGI middleware: a request whose line and headers exceed MAX_HEADER_BYTES is a 431."""

    def __init__(self, app: ASGIApp, limit: int = MAX_HEADER_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        size = header_bytes(scope) if scope["type"] == "http" else 0
        if size <= self.limit:
            await self.app(scope, receive, send)
            return
        detail = f"request line and headers are {size} bytes; at most {self.limit}"
        await problem(431, "headers-too-large", detail)(scope, receive, send)


@dataclass
class Site:
    """What the origin serves; `app()` is the ASGI application."""

    dist_dir: Path
    s3: S3Client
    assets_bucket: str
    cart: CartInvoker
    issuer: LocalUserPool | None = None
    pages: Pages | None = None

    def app(self) -> Starlette:
        routes: list[BaseRoute] = [
            Mount("/api", app=self._api),
            Route(TOKEN_PATH, self._token, methods=["GET"]),
            Route("/" + ASSETS_PREFIX + "{key:path}", self._asset, methods=list(READ_METHODS)),
            *(self.pages.routes() if self.pages is not None else []),
            Mount("/", app=_Storefront(directory=self.dist_dir.resolve(), pages=self.pages)),
        ]
        gzip = Middleware(
            GZipMiddleware, minimum_size=COMPRESS_MIN_BYTES, exclude_content_types=NOT_COMPRESSED
        )
        app = Starlette(routes=routes, middleware=[Middleware(HeaderCap), gzip])
        app.add_exception_handler(HTTPException, self._http_error)  # type: ignore[arg-type]
        return app

    async def _http_error(self, request: Request, error: HTTPException) -> Response:
        if error.status_code == 405:
            return _not_allowed(request.method, request.url.path)
        page = self.pages.not_found(request) if self.pages is not None else None
        if error.status_code == 404 and page is not None:
            return page
        return problem(error.status_code, "not-found", f"nothing at {request.url.path}")

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await _body(request)
        if isinstance(body, Response):
            await body(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        target = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        client = scope.get("client") or ("127.0.0.1", 0)
        server = scope.get("server") or ("127.0.0.1", 0)
        event = http_request_event(scope["method"], target, headers, body, client[0], server[1])
        reply = http_reply(await self.cart(event))
        response = Response(reply.body, reply.status)
        response.raw_headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in reply.headers
            if name.lower() != "content-length"
        ] + [(b"content-length", str(len(reply.body)).encode())]
        await response(scope, receive, send)

    async def _token(self, request: Request) -> Response:
        if self.issuer is None:
            return problem(404, "not-found", "no user pool is configured")
        user = request.query_params.get("user")
        if user is None:
            return problem(400, "bad-request", f"name the user: {TOKEN_PATH}?user=<e-mail>")
        if not _USER.fullmatch(user):
            return problem(422, "validation-error", f"user {user[:80]!r} is not an e-mail")
        groups = tuple(dict.fromkeys(request.query_params.getlist("group")))
        unknown = [g for g in groups if g not in GROUP_NAMES]
        if unknown:
            known = ", ".join(GROUP_NAMES)
            return problem(
                400, "bad-request", f"no group {unknown[0][:40]!r} in the pool; groups: {known}"
            )
        try:
            signed_in = await run_in_threadpool(self.issuer.token, user, groups)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NotAuthorizedException":
                raise
            # Signed up in the storefront with its own password: the groups are added, but only
            # its owner can sign in; the new groups are in the tokens of its next sign-in.
            joined = f" (now in {', '.join(groups)})" if groups else ""
            detail = f"{user} has its own password{joined}: sign in again in the storefront"
            return problem(409, "conflict", detail)
        document = {
            "access_token": signed_in.access_token,
            "token_type": "Bearer",
            "sub": signed_in.sub,
        }
        return Response(json.dumps(document), media_type="application/json")

    async def _asset(self, request: Request) -> Response:
        key = unquote(request.url.path[1:])
        conditions: dict[str, Any] = {}
        if "range" in request.headers:
            conditions["Range"] = request.headers["range"]
        if "if-none-match" in request.headers:
            conditions["IfNoneMatch"] = request.headers["if-none-match"]
        elif "if-modified-since" in request.headers:
            since = email.utils.parsedate_to_datetime(request.headers["if-modified-since"])
            conditions["IfModifiedSince"] = since
        fetch: Callable[..., Any] = (
            self.s3.head_object if request.method == "HEAD" else self.s3.get_object
        )
        try:
            found: Any = await run_in_threadpool(
                fetch, Bucket=self.assets_bucket, Key=key, **conditions
            )
        except ClientError as error:
            return _asset_error(error, key)
        headers = {
            header: str(found[field]) for field, header in _OBJECT_HEADERS.items() if field in found
        }
        headers["Accept-Ranges"] = "bytes"
        if "LastModified" in found:
            modified = found["LastModified"].astimezone(UTC)  # botocore's tzutc is not UTC
            headers["Last-Modified"] = email.utils.format_datetime(modified, usegmt=True)
        status = 206 if "ContentRange" in found else 200
        body = b"" if request.method == "HEAD" else await run_in_threadpool(found["Body"].read)
        return Response(body, status, headers=headers)


def _asset_error(error: ClientError, key: str) -> Response:
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500))
    if code in {"304", "NotModified"} or status == 304:
        return Response(status_code=304)
    if code in {"NoSuchKey", "404"} or status == 404:
        return problem(404, "not-found", f"no asset at /{key}")
    if code == "InvalidRange" or status == 416:
        return problem(416, "range-not-satisfiable", f"the Range is outside /{key}")
    if status == 412:
        return problem(412, "precondition-failed", f"a precondition on /{key} does not hold")
    raise error
