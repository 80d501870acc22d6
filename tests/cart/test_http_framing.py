"""The local HTTP front (Hypercorn + h11, local.site_server) against malformed and hostile
requests, sent byte for byte on raw sockets: every one is answered with a 4xx (or the
connection closed), none blocks the server, none is read as a second request. The cart
handler runs in worker processes (local.cart_pool), as on the local platform.
"""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest

from handlers.shared.cache_control import REVALIDATE
from local.alb_event import MAX_BODY_BYTES
from local.site_app import MAX_HEADER_BYTES
from tests.cart.conftest import ASSET, ASSET_KEY, SiteAddress
from tests.cart.conftest import SITE_READ_TIMEOUT_S as READ_TIMEOUT_S


@pytest.fixture(scope="module")
def site(site_server: SiteAddress) -> tuple[str, int]:
    return site_server.host, site_server.port


def exchange(
    site: tuple[str, int], raw: bytes, timeout: float = 10.0, half_close: bool = False
) -> bytes:
    """Send `raw`, read until the server closes; everything it answered. (No half-close by
    default: Hypercorn takes the client's FIN as a disconnect and may cut a response short.)"""
    with socket.create_connection(site, timeout=timeout) as conn:
        conn.sendall(raw)
        if half_close:
            conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def statuses(answer: bytes) -> list[int]:
    """The status codes of every response in `answer`, in order."""
    # A status line may follow the previous body on the same line (bodies end without CRLF).
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)]


def body_of(answer: bytes) -> bytes:
    return answer.split(b"\r\n\r\n", 1)[1]


def header(answer: bytes, name: str) -> str | None:
    """The first response's header `name` (case-insensitive), or None."""
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def test_the_server_answers_a_plain_request(site):
    answer = exchange(site, b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert statuses(answer) == [200] and b'"status": "ok"' in answer


def test_a_content_length_that_is_not_a_number_is_a_400(site):
    raw = b"POST /api/cart/items HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}"
    assert statuses(exchange(site, raw)) == [400]


def test_a_negative_content_length_is_a_400_at_once(site):
    raw = b"POST /api/cart/items HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"
    started = time.monotonic()
    assert statuses(exchange(site, raw)) == [400]
    assert time.monotonic() - started < READ_TIMEOUT_S  # refused, not waited on


def test_two_different_content_lengths_are_a_400(site):
    raw = (
        b"POST /api/cart/items HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        b"Content-Length: 40\r\n\r\n{}"
    )
    assert statuses(exchange(site, raw)) == [400]


def test_a_chunked_body_is_read_as_a_body_never_as_a_request(site):
    smuggled = b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n"
    raw = (
        b"POST /api/cart/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + f"{len(smuggled):x}\r\n".encode()
        + smuggled
        + b"\r\n0\r\n\r\n"
    )
    answer = exchange(site, raw)
    assert statuses(answer) == [400]  # one answer: the POST's (its body is not JSON)
    assert b"not valid JSON" in answer and b'"region"' not in answer


def test_content_length_and_chunked_together_are_not_two_requests(site):
    smuggled = b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n"
    raw = (
        b"POST /api/cart/items HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n" + smuggled
    )
    answer = exchange(site, raw)
    assert len(statuses(answer)) == 1 and statuses(answer)[0] >= 400
    assert b'"region"' not in answer  # the smuggled GET never ran


def test_a_slow_client_is_dropped_and_holds_nothing(site):
    with socket.create_connection(site, timeout=10) as slow:
        slow.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")  # and then nothing
        # Meanwhile others are served.
        answer = exchange(site, b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert statuses(answer) == [200]
        started = time.monotonic()
        left = slow.recv(65536)  # the server closes it (after a 408 or nothing)
        waited = time.monotonic() - started
    assert waited < READ_TIMEOUT_S + 5, waited
    assert left == b"" or statuses(left) == [408]


def test_a_nul_byte_in_the_request_line_is_a_400(site):
    assert statuses(exchange(site, b"GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n")) == [400]


def test_an_encoded_nul_in_a_path_is_a_404_problem(site):
    for path in (b"/a%00b.js", b"/api/products/A%00B"):
        answer = exchange(
            site, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        assert statuses(answer)[0] in (404, 422), answer
        assert b"application/problem+json" in answer


def test_an_unknown_method_on_the_storefront_is_a_405_problem_with_allow(site):
    answer = exchange(site, b"BREW /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert statuses(answer) == [405] and header(answer, "Allow") == "GET, HEAD"
    assert header(answer, "Content-Type") == "application/problem+json"


def test_an_unknown_method_on_the_api_is_a_405_naming_the_allowed_ones(site):
    answer = exchange(site, b"BREW /api/products HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert statuses(answer) == [405] and header(answer, "Allow") == "GET, HEAD"
    assert header(answer, "Content-Type") == "application/problem+json"


def test_a_method_that_is_not_a_token_is_a_400(site):
    assert statuses(exchange(site, b"G(E)T / HTTP/1.1\r\nHost: x\r\n\r\n")) == [400]


def test_a_body_over_the_limit_is_a_413_before_it_is_read(site):
    raw = (
        b"POST /api/cart/items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
    )
    assert statuses(exchange(site, raw)) == [413]


def test_a_chunked_body_over_the_limit_is_a_413(site):
    chunk = b"x" * 65536
    raw = (
        b"POST /api/cart/items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n"
        + (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") * (MAX_BODY_BYTES // len(chunk) + 1)
        + b"0\r\n\r\n"
    )
    assert statuses(exchange(site, raw)) == [413]


def test_headers_over_the_limit_are_refused(site):
    raw = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
    answer = exchange(site, raw)
    assert answer == b"" or statuses(answer)[0] in (400, 431)


def _request_of(size: int, where: str) -> bytes:
    """A GET whose request line and headers are `size` bytes, the padding in a query string
    or a header."""
    head = b"GET /?x= HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    if where == "query":
        return head.replace(b"?x=", b"?x=" + b"a" * (size - len(head)))
    pad = b"X-Pad: \r\n"
    return head[:-2] + pad.replace(b" ", b" " + b"a" * (size - len(head) - len(pad))) + b"\r\n"


@pytest.mark.parametrize("size", [20_000, MAX_HEADER_BYTES + 1])
@pytest.mark.parametrize("where", ["query", "header"])
def test_a_whole_request_over_16_kib_of_headers_is_a_431(site, where, size):
    # 20 KB: under h11's per-read cap (a complete request in one 64 KiB read), over ours.
    raw = _request_of(size, where)
    assert len(raw) == size
    answer = exchange(site, raw)
    assert statuses(answer) == [431]
    assert f"at most {MAX_HEADER_BYTES}".encode() in body_of(answer)


@pytest.mark.parametrize("where", ["query", "header"])
def test_a_request_of_exactly_16_kib_of_headers_is_served(site, where):
    raw = _request_of(MAX_HEADER_BYTES, where)
    assert len(raw) == MAX_HEADER_BYTES
    assert statuses(exchange(site, raw)) == [200]


def test_keep_alive_serves_requests_in_order(site):
    raw = (
        b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /api/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert statuses(exchange(site, raw)) == [200, 404]


def test_head_on_the_api_has_no_body(site):
    answer = exchange(site, b"HEAD /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert statuses(answer) == [200] and body_of(answer) == b""


def test_an_asset_range_is_a_206_with_those_bytes(site):
    raw = (
        f"GET /{ASSET_KEY} HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = exchange(site, raw)
    assert statuses(answer) == [206]
    assert header(answer, "Content-Range") == "bytes 10-19/1024"
    assert body_of(answer) == ASSET[10:20]


def test_an_asset_with_a_matching_etag_is_a_304(site):
    first = exchange(
        site, f"GET /{ASSET_KEY} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    etag = header(first, "ETag")
    assert etag
    raw = (
        f"GET /{ASSET_KEY} HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    again = exchange(site, raw)
    assert statuses(again) == [304] and body_of(again) == b""


def test_a_storefront_file_answers_range_and_304(site):
    ranged = exchange(
        site, b"GET /app.js HTTP/1.1\r\nHost: x\r\nRange: bytes=0-6\r\nConnection: close\r\n\r\n"
    )
    assert statuses(ranged) == [206] and body_of(ranged) == b"console"
    assert header(ranged, "Cache-Control") == REVALIDATE  # no content hash in its name
    full = exchange(site, b"GET /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    etag = header(full, "ETag")
    assert etag
    raw = f"GET /app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n".encode()
    assert statuses(exchange(site, raw)) == [304]


def test_concurrent_cart_requests_are_each_answered_by_the_worker_pool(site):
    answers: list[bytes] = []

    def get() -> None:
        answers.append(
            exchange(site, b"GET /api/cart HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        )

    threads = [threading.Thread(target=get) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [statuses(a) for a in answers] == [[200]] * 4


@pytest.mark.parametrize(
    "sent", ["text/plain", "application/octet-stream", "application/x-www-form-urlencoded"]
)
def test_a_json_body_sent_as_another_type_is_a_415_through_the_front(site, sent):
    body = b'{"sku":"HELMET-1","quantity":1}'
    raw = (
        f"POST /api/cart/items HTTP/1.1\r\nHost: x\r\nContent-Type: {sent}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    answer = exchange(site, raw)
    assert statuses(answer) == [415]
    assert header(answer, "Accept-Post") == "application/json"
    assert b"send the body as application/json" in body_of(answer)
