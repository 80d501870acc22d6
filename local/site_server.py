"""The local platform's HTTP front: Hypercorn (HTTP/1.1 framing by h11) serving the site's ASGI
app (local.site_app) on loopback, in a thread of its own with its own event loop.

h11 does the framing a hand-written server got wrong: a Content-Length that is not a number or
appears twice with different values, a chunked body (read as chunks, never as a new request),
bytes that are not a request line: each a 400 and the connection closed. A slow client holds a
coroutine, not a thread, and is dropped after READ_TIMEOUT_S without a byte; an incomplete request
line and headers are capped at MAX_HEADER_BYTES (a complete request is measured by the app:
local.site_app.HeaderCap); an idle keep-alive connection closes after KEEP_ALIVE_S.

The port is bound when the server is made (so a busy port fails fast, before the other servers
start); it serves once given a Site.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from typing import Final, Protocol

from hypercorn.asyncio import serve
from hypercorn.config import Config
from starlette.applications import Starlette

from local.site_app import MAX_HEADER_BYTES

READ_TIMEOUT_S: Final = 10  # no byte from the client for this long: the connection is closed
KEEP_ALIVE_S: Final = 5
STOP_TIMEOUT_S: Final = 10.0


class ServesApp(Protocol):
    def app(self) -> Starlette: ...


class SiteServer:
    def __init__(
        self,
        host: str,
        port: int,
        log_requests: bool = False,
        read_timeout_s: int = READ_TIMEOUT_S,
    ) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
        except OSError as error:
            self._socket.close()
            raise OSError(
                f"cannot listen on {host}:{port} ({error.strerror}): choose another port"
                " (--port, 0 for any free one)"
            ) from error
        self._socket.listen(128)
        self.log_requests = log_requests
        self.read_timeout_s = read_timeout_s
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._started = threading.Event()
        self.error: BaseException | None = None

    @property
    def url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://{host!s}:{port}/"

    def config(self) -> Config:
        config = Config()
        # A duplicate descriptor: Hypercorn closes the socket it is given when it stops.
        config.bind = [f"fd://{os.dup(self._socket.fileno())}"]
        config.read_timeout = self.read_timeout_s
        config.keep_alive_timeout = KEEP_ALIVE_S
        config.h11_max_incomplete_size = MAX_HEADER_BYTES  # a request still arriving
        config.include_server_header = False
        config.accesslog = logging.getLogger("shop3d.site") if self.log_requests else None
        config.errorlog = logging.getLogger("shop3d.site.errors")
        return config

    def serve(self, site: ServesApp) -> None:
        app, config = site.app(), self.config()

        async def run() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopping = asyncio.Event()
            self._started.set()
            await serve(app, config, shutdown_trigger=self._stopping.wait)  # type: ignore[arg-type]

        def thread() -> None:
            try:
                asyncio.run(run())
            except BaseException as error:  # reported by check(), not lost in a thread
                self.error = error
                self._started.set()

        self._thread = threading.Thread(target=thread, name="site", daemon=True)
        self._thread.start()
        self._started.wait(STOP_TIMEOUT_S)

    def stop(self) -> None:
        if self._thread is not None and self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(STOP_TIMEOUT_S)
        self._socket.close()
