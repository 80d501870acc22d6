"""An ASGI app served by the local platform's Hypercorn front on a free port, and a small urllib
client for it (real HTTP: the bytes a browser or CloudFront would get)."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message

from starlette.applications import Starlette

from local.servers import LOOPBACK
from local.site_server import SiteServer


@dataclass
class _App:
    built: Starlette

    def app(self) -> Starlette:
        return self.built


@contextmanager
def served(app: Starlette) -> Iterator[str]:
    server = SiteServer(LOOPBACK, 0)
    server.serve(_App(app))
    try:
        yield server.url.rstrip("/")
    finally:
        server.stop()


@dataclass
class Reply:
    status_code: int
    content: bytes
    headers: Message

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")


@dataclass
class PageClient:
    __test__ = False  # imported as TestClient: not a test class
    base: str
    tls: ssl.SSLContext | None = None  # for an https:// base

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310 - loopback
        try:
            with urllib.request.urlopen(request, timeout=30, context=self.tls) as response:  # noqa: S310 - loopback
                return Reply(response.status, response.read(), response.headers)
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read(), error.headers)
