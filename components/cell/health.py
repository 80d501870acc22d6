"""The Route 53 health check of a cell: its /api/health, end to end through its ALB listener to
the cart Lambda, and with the web tier its /healthz (the page renderer) too, combined in a
calculated check: what the cell's api and orders records serve. GlobalEdge attaches it to each
record of the cell (never evaluate-target-health on the ALB alias, which would also fail the
cell when a target group of something the record does not serve, the web tier, is unhealthy).

Route 53 health checks cannot send custom headers, so instead of the origin secret the check
sends the cell's health token as a query parameter, which the ALB accepts on /api/health only
(components/cell/alb.py).
"""

from __future__ import annotations

from typing import Final

import pulumi
import pulumi_aws as aws

from components.cell.alb import HEALTH_PATH, HEALTH_QUERY_KEY, WEB_HEALTH_PATH, CellAlb
from components.cell.context import CellContext

# Failures in a row before a checker calls the cell unhealthy (Route 53's default). Route 53
# calls an endpoint unhealthy once more than 82% of its checkers do (Route 53 Developer Guide,
# "How Amazon Route 53 determines whether a health check is healthy").
FAILURE_THRESHOLD: Final = 3


def _endpoint_check(
    ctx: CellContext, alb: CellAlb, path: str, what: str, suffix: str = ""
) -> aws.route53.HealthCheck:
    """An HTTPS (HTTP without a domain) check of `path` through the ALB, with the token."""
    return aws.route53.HealthCheck(
        ctx.name("health", suffix) if suffix else ctx.name("health"),
        type=alb.protocol,
        fqdn=alb.alb.dns_name,
        port=alb.port,
        resource_path=pulumi.Output.concat(path, "?", HEALTH_QUERY_KEY, "=", alb.health_token),
        enable_sni=alb.protocol == "HTTPS",
        request_interval=ctx.config.health_check_interval,
        failure_threshold=FAILURE_THRESHOLD,
        measure_latency=True,
        reference_name=f"shop3d-{ctx.region}{'-' + suffix if suffix else ''}"[:64],
        tags={"Name": ctx.physical(ctx.region, what)},
        opts=ctx.opts(),
    )


def cell_health_check(ctx: CellContext, alb: CellAlb) -> aws.route53.HealthCheck:
    """What the cell's records carry: the API's check, or, with the web tier, a calculated
    check healthy only while both the API and the page renderer (/healthz, which renders the
    grid) are: a cell that cannot render pages leaves latency routing like one whose API fails.
    Route 53 "Creating, updating, and deleting health checks" (calculated health checks: the
    child checks and how many must be healthy)."""
    api = _endpoint_check(ctx, alb, HEALTH_PATH, "api-health")
    if alb.web_target_group is None:
        return api
    web = _endpoint_check(ctx, alb, WEB_HEALTH_PATH, "web-health", "web")
    return aws.route53.HealthCheck(
        ctx.name("health", "cell"),
        type="CALCULATED",
        child_healthchecks=[api.id, web.id],
        child_health_threshold=2,
        reference_name=f"shop3d-{ctx.region}-cell"[:64],
        tags={"Name": ctx.physical(ctx.region, "cell-health")},
        opts=ctx.opts(),
    )
