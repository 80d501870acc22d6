"""The cart Lambda behind each cell's ALB: `lambda_handler` is the entry point.

Powertools ALB resolver over the routes' Router, with Logger, Tracer and Metrics. Every error is
an RFC 9457 problem document; an unexpected one is a 500 problem (logged), never a Lambda error.
The schema is not applied here: that needs the master credentials, which only the cart-schema
function (handlers.cart.schema_lambda) may read.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import ALBResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.cart.api import (
    account_routes,
    admin_products,
    content_type,
    methods,
    openapi,
    routes,
    search,
)
from handlers.cart.api.problems import PROBLEM_CONTENT_TYPE, Problem, bad_request, not_found
from handlers.cart.api.request_body import json_object, validation_problem
from handlers.cart.settings import ConfigError, Settings
from handlers.cart.tracing import tracer
from handlers.cart.wiring import Services

logger = Logger(service="cart")
metrics = Metrics(namespace="shop3d", service="cart")

# Validation on: bodies are checked against the routes' pydantic models, and the OpenAPI document
# (/api/openapi.json, docs/cart-openapi.json) is generated from the same routes and models.
app = ALBResolver(enable_validation=True, json_body_deserializer=json_object)
app.include_router(routes.router)
app.include_router(account_routes.router)
app.include_router(admin_products.router)
app.include_router(search.router)
app.use([content_type.json_only])  # after validation: see handle_invalid
_services: Services | None = None


def use_services(services: Services) -> None:
    """Hand the handler its collaborators (the local platform and the tests do; in Lambda the
    first request builds them from the function's environment)."""
    global _services
    _services = services
    routes.bind(services)
    search.bind(services)


def current_services() -> Services:
    """The collaborators in use, built from the environment if none were handed in. Clients
    and connections are made on first use (Services' cached properties)."""
    if _services is None:
        use_services(Services.from_settings(Settings.from_env()))
    assert _services is not None
    return _services


@app.get(openapi.PATH, include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, "application/json", openapi.openapi_json(app))


def _problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[str]:
    if problem.status >= 500:
        logger.error("request failed", extra={"problem": problem.body()})
    metrics.add_metric(name=f"Problem{problem.status}", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=problem.json(),
        headers={**problem.headers, **(headers or {})} or None,
    )


@app.exception_handler(Problem)  # type: ignore[untyped-decorator]
def handle_problem(problem: Problem) -> Response[str]:
    return _problem_response(problem)


# Powertools validates a pydantic body before any middleware runs: it raises
# RequestUnsupportedContentType for a type it cannot parse (text/plain: not a
# RequestValidationError) and parses a form as if it were the body, so both ask whether the body
# was JSON at all first: a 415, not a 500 or a 422 about missing fields.
@app.exception_handler([RequestValidationError, RequestUnsupportedContentType])  # type: ignore[untyped-decorator]
def handle_invalid(error: RequestValidationError | RequestUnsupportedContentType) -> Response[str]:
    refused = content_type.refusal(app.current_event)
    if refused is not None:
        return _problem_response(refused)
    return _problem_response(validation_problem(error.errors()))


@app.exception_handler(ConfigError)  # type: ignore[untyped-decorator]
def handle_not_configured(error: ConfigError) -> Response[str]:
    return _problem_response(Problem(503, "not-configured", str(error)))


@app.exception_handler(UnicodeDecodeError)  # type: ignore[untyped-decorator]
def handle_not_utf8(error: UnicodeDecodeError) -> Response[str]:
    # The resolver decodes a base64 body as UTF-8 before our deserializer sees it.
    detail = f"request body is not UTF-8 (byte {error.start}): send JSON encoded as UTF-8"
    return _problem_response(bad_request(detail))


@app.not_found
def handle_not_found(_: Exception) -> Response[str]:
    event = app.current_event
    allowed = methods.allowed_methods(app, event.path)
    if allowed:
        detail = (
            f"{event.http_method} is not allowed on {event.path}; allowed: {', '.join(allowed)}"
        )
        problem = Problem(405, "method-not-allowed", detail, allowed=allowed)
        return _problem_response(problem, {"Allow": ", ".join(allowed)})
    return _problem_response(not_found(f"no route for {event.http_method} {event.path}"))


@app.exception_handler(Exception)  # type: ignore[untyped-decorator]
def handle_unexpected(error: Exception) -> Response[str]:
    logger.exception("unexpected error")
    return _problem_response(
        Problem(500, "internal", "the cart service failed unexpectedly; it has been logged")
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPLICATION_LOAD_BALANCER)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    current_services()
    head_as_get = methods.as_get(event)
    if head_as_get is not None and methods.GET in methods.allowed_methods(app, event["path"]):
        return methods.without_body(app.resolve(head_as_get, context))
    return app.resolve(event, context)
