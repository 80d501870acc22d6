"""HTTP method semantics the resolver leaves out: HEAD answers as GET without a body (RFC 9110
9.3.2), and a known path asked with another method is a 405 naming the allowed ones in `Allow`
(RFC 9110 15.5.6) rather than a 404."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

HEAD = "HEAD"
GET = "GET"


def as_get(event: dict[str, Any]) -> dict[str, Any] | None:
    """The GET event to resolve for a HEAD request; None for any other method."""
    if str(event.get("httpMethod", "")).upper() != HEAD:
        return None
    return {**event, "httpMethod": GET}


def without_body(response: dict[str, Any]) -> dict[str, Any]:
    """A GET response answered to HEAD: the same status and headers, no body."""
    return {**response, "body": "", "isBase64Encoded": False}


def allowed_methods(app: ApiGatewayResolver, path: str) -> list[str]:
    """The methods some route serves `path` with (plus HEAD wherever GET is), sorted.

    Reads the resolver's route table (Powertools keeps no public view of it; pinned <4)."""
    routes = app._static_routes + app._dynamic_routes
    methods = {route.method for route in routes if route.rule.match(path)}
    if GET in methods:
        methods.add(HEAD)
    return sorted(methods)
