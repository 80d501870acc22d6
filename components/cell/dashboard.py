"""One CloudWatch dashboard per cell: traffic, latency, Lambda, queues, cache and alarms."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.cell.alarms import AlarmTargets, CellAlarms
from components.cell.context import CellContext

WIDTH = 12
HEIGHT = 6


def _widget(
    index: int, title: str, region: str, metrics: list[list[Any]], stat: str = "Sum"
) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": (index % 2) * WIDTH,
        "y": (index // 2) * HEIGHT,
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {
            "title": title,
            "region": region,
            "stat": stat,
            "period": 60,
            "view": "timeSeries",
            "metrics": metrics,
        },
    }


def _cache_widgets(targets: AlarmTargets, region: str) -> list[dict[str, Any]]:
    """Redis engine CPU per node; nothing in a cell without the catalog cache (a metric
    widget needs at least one metric)."""
    if targets.redis_group_id is None or not targets.redis_nodes:
        return []
    return [
        _widget(
            4,
            "Redis engine CPU",
            region,
            [
                [
                    "AWS/ElastiCache",
                    "EngineCPUUtilization",
                    "CacheClusterId",
                    pulumi.Output.concat(targets.redis_group_id, f"-{node:03d}"),
                ]
                for node in range(1, targets.redis_nodes + 1)
            ],
            "Average",
        )
    ]


def cell_dashboard(
    ctx: CellContext, targets: AlarmTargets, alarms: CellAlarms
) -> aws.cloudwatch.Dashboard:
    alb = ["AWS/ApplicationELB"]
    region = ctx.region
    widgets = [
        _widget(
            0,
            "ALB requests and 5xx",
            region,
            [
                [*alb, "RequestCount", "LoadBalancer", targets.alb_arn_suffix],
                [*alb, "HTTPCode_ELB_5XX_Count", "LoadBalancer", targets.alb_arn_suffix],
                [*alb, "HTTPCode_Target_5XX_Count", "LoadBalancer", targets.alb_arn_suffix],
            ],
        ),
        _widget(
            1,
            "Target response time p99",
            region,
            [[*alb, "TargetResponseTime", "LoadBalancer", targets.alb_arn_suffix]],
            "p99",
        ),
        _widget(
            2,
            "Lambda errors and throttles",
            region,
            [
                ["AWS/Lambda", metric, "FunctionName", name]
                for name in targets.functions.values()
                for metric in ("Errors", "Throttles")
            ],
        ),
        _widget(
            3,
            "Dead-letter queues",
            region,
            [
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue]
                for queue in targets.dead_letter_queues.values()
            ],
            "Maximum",
        ),
        *_cache_widgets(targets, region),
        _widget(
            5,
            "DynamoDB throttles",
            region,
            [
                ["AWS/DynamoDB", metric, "TableName", table]
                for table in targets.table_names.values()
                for metric in ("ReadThrottleEvents", "WriteThrottleEvents")
            ],
        ),
        {
            "type": "alarm",
            "x": 0,
            "y": 3 * HEIGHT,
            "width": 2 * WIDTH,
            "height": HEIGHT,
            "properties": {"title": "Alarms", "alarms": [a.arn for a in alarms.alarms]},
        },
    ]
    return aws.cloudwatch.Dashboard(
        ctx.name("dashboard"),
        dashboard_name=ctx.physical(region),
        dashboard_body=pulumi.Output.json_dumps({"widgets": widgets}),
        opts=ctx.opts(),
    )
