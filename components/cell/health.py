"""The Route 53 health check of a cell's /api/health, end to end through its ALB listener;
GlobalEdge uses it to take a cell out of latency routing.

Route 53 health checks cannot send custom headers, so the origin secret travels as a query
parameter that only the ALB's health rule accepts (components/cell/alb.py).
"""

from __future__ import annotations

from typing import Final

import pulumi
import pulumi_aws as aws

from components.cell.alb import HEALTH_PATH, HEALTH_QUERY_KEY, CellAlb
from components.cell.context import CellContext

REQUEST_INTERVAL_SECONDS: Final = 30
FAILURE_THRESHOLD: Final = 3


def cell_health_check(ctx: CellContext, alb: CellAlb,
                      origin_secret: pulumi.Output[str]) -> aws.route53.HealthCheck:
    return aws.route53.HealthCheck(
        ctx.name("health"),
        type=alb.protocol,
        fqdn=alb.alb.dns_name,
        port=alb.port,
        resource_path=pulumi.Output.concat(HEALTH_PATH, "?", HEALTH_QUERY_KEY, "=",
                                           origin_secret),
        enable_sni=alb.protocol == "HTTPS",
        request_interval=REQUEST_INTERVAL_SECONDS,
        failure_threshold=FAILURE_THRESHOLD,
        measure_latency=True,
        reference_name=f"shop3d-{ctx.region}"[:64],
        tags={"Name": ctx.physical(ctx.region, "api-health")},
        opts=ctx.opts(),
    )
