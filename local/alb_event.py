"""HTTP requests as the ALB hands them to a Lambda target, and the Lambda's answer back as HTTP.

The cells' target group leaves multi-value headers off, so events carry `headers` (lower-case
names, the last value of a repeated header) and `queryStringParameters` (values as sent, not
URL-decoded), as ALB does. Responses in either shape (`headers` or `multiValueHeaders`) are
turned back into HTTP.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from local.lambda_runtime import alb_event

# Lambda's limit for a request or response payload behind an ALB.
MAX_BODY_BYTES: Final = 1024 * 1024


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _query(raw: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in raw.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            params[name] = value  # last wins, still encoded: as ALB passes them
    return params


def http_request_event(
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    client_ip: str,
    port: int,
) -> dict[str, Any]:
    """The ALB event of one HTTP request (`target` is the request line's path and query)."""
    parts = urlsplit(target)
    sent = [(name.lower(), value) for name, value in headers]
    sent += [("x-forwarded-for", client_ip), ("x-forwarded-proto", "http")]
    sent.append(("x-forwarded-port", str(port)))
    return alb_event(method, parts.path, headers=sent, body=body, query=_query(parts.query))


def http_reply(response: dict[str, Any]) -> HttpReply:
    """The HTTP answer of a Lambda response to an ALB event."""
    headers: list[tuple[str, str]] = []
    if "multiValueHeaders" in response:
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers.extend((name, str(value)) for value in values)
    else:
        headers.extend((name, str(v)) for name, v in (response.get("headers") or {}).items())
    raw = response.get("body") or ""
    body = base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode("utf-8")
    return HttpReply(int(response["statusCode"]), headers, body)
