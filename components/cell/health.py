"""The Route 53 health check of a cell's /api/health, end to end through its ALB listener;
GlobalEdge uses it to take a cell out of latency routing.

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

REQUEST_INTERVAL_SECONDS: Final = 30
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
        request_interval=REQUEST_INTERVAL_SECONDS,
        failure_threshold=FAILURE_THRESHOLD,
        measure_latency=True,
        reference_name=f"shop3d-{ctx.region}"[:64],
        tags={"Name": ctx.physical(ctx.region, "api-health")},
        opts=ctx.opts(),
    )
