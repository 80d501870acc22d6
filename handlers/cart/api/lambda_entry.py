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
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.cart.api import routes, search
from handlers.cart.api.problems import PROBLEM_CONTENT_TYPE, Problem, not_found
from handlers.cart.settings import Settings
from handlers.cart.tracing import tracer
from handlers.cart.wiring import Services

logger = Logger(service="cart")
metrics = Metrics(namespace="shop3d", service="cart")

app = ALBResolver()
app.include_router(routes.router)
app.include_router(search.router)
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


def _problem_response(problem: Problem) -> Response[str]:
    if problem.status >= 500:
        logger.error("request failed", extra={"problem": problem.body()})
    metrics.add_metric(name=f"Problem{problem.status}", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=problem.status, content_type=PROBLEM_CONTENT_TYPE, body=problem.json()
    )


@app.exception_handler(Problem)  # type: ignore[untyped-decorator]
def handle_problem(problem: Problem) -> Response[str]:
    return _problem_response(problem)


@app.not_found
def handle_not_found(_: Exception) -> Response[str]:
    event = app.current_event
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
    return app.resolve(event, context)
