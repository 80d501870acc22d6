"""The Route 53 health check of a cell's /api/health, end to end through its ALB listener to
the cart Lambda: what the cell's api and orders records serve. GlobalEdge attaches it to each
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

from components.cell.alb import HEALTH_PATH, HEALTH_QUERY_KEY, CellAlb
from components.cell.context import CellContext

# Failures in a row before a checker calls the cell unhealthy (Route 53's default). Route 53
# calls an endpoint unhealthy once more than 82% of its checkers do (Route 53 Developer Guide,
# "How Amazon Route 53 determines whether a health check is healthy").
FAILURE_THRESHOLD: Final = 3


def cell_health_check(ctx: CellContext, alb: CellAlb) -> aws.route53.HealthCheck:
    return aws.route53.HealthCheck(
        ctx.name("health"),
        type=alb.protocol,
        fqdn=alb.alb.dns_name,
        port=alb.port,
        resource_path=pulumi.Output.concat(
            HEALTH_PATH, "?", HEALTH_QUERY_KEY, "=", alb.health_token
        ),
        enable_sni=alb.protocol == "HTTPS",
        request_interval=ctx.config.health_check_interval,
        failure_threshold=FAILURE_THRESHOLD,
        measure_latency=True,
        reference_name=f"shop3d-{ctx.region}"[:64],
        tags={"Name": ctx.physical(ctx.region, "api-health")},
        opts=ctx.opts(),
    )
