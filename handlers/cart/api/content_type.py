"""Request bodies are JSON: a body sent as anything else (text/plain, a form, octet-stream, a
charset other than UTF-8) is a 415 problem naming the type to send, never a 500 or a misleading
422. Stripe's webhook is exempt: its signature covers the raw bytes, which it reads itself.

A form post is also what a cross-site page can send without a CORS preflight, so refusing
anything but JSON keeps the API off that path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from handlers.cart.api.problems import Problem
from handlers.shared.routes import WEBHOOK_PATH

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
    from aws_lambda_powertools.event_handler.types import EventHandlerInstance
    from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

JSON: Final = "application/json"
BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH"})
EXEMPT_PATHS: Final = frozenset({WEBHOOK_PATH})
# Where a 415 names what the method takes (RFC 9110 12.5.1: Accept in a response; RFC 5789
# 3.1: Accept-Patch; W3C LDP 7.1: Accept-Post).
_ACCEPT_HEADERS: Final = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}


def takes_json_body(method: str, path: str) -> bool:
    """Whether a request with this method and path must send any body it has as JSON."""
    return method.upper() in BODY_METHODS and path not in EXEMPT_PATHS


def _is_json(content_type: str) -> bool:
    """application/json with at most a UTF-8 charset (JSON is UTF-8: RFC 8259 8.1); no
    Content-Type at all is taken as JSON, as the resolver does. The type is matched in lower
    case only, as the resolver matches it (it would take other spellings for unknown types)."""
    media_type, *parameters = content_type.split(";")
    media_type = media_type.strip()
    if not media_type:
        return True
    if media_type != JSON:
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def refusal(event: BaseProxyEvent) -> Problem | None:
    """The 415 problem for `event`'s body, or None if its body may go on to be parsed."""
    if not event.body or not takes_json_body(event.http_method, event.path):
        return None
    sent = (event.headers.get("content-type") or "").strip()
    if _is_json(sent):
        return None
    problem = Problem(
        415,
        "unsupported-media-type",
        f"request body is sent as {sent[:80]!r}: send the body as {JSON}"
        " (Content-Type: application/json, UTF-8)",
        accepted=[JSON],
    )
    problem.headers = {"Accept": JSON}
    extra = _ACCEPT_HEADERS.get(event.http_method.upper())
    if extra is not None:
        problem.headers[extra] = JSON
    return problem


def json_only(app: EventHandlerInstance, next_middleware: NextMiddleware) -> Response[str]:
    """Resolver middleware: refuse a non-JSON body before the route reads it. Powertools'
    validation runs first on routes with a pydantic body; the handler of its errors asks
    `refusal` too, so a form that fails (or passes) validation is a 415 either way."""
    problem = refusal(app.current_event)
    if problem is not None:
        raise problem
    return next_middleware(app)
