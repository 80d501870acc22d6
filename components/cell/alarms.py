"""A cell's alarms, all to one SNS topic (encrypted with the region's key, e-mailed to
`shop3d:alarmEmail` when set): ALB 5xx rate, target p99 latency, Lambda errors and throttles,
dead-letter queue depth > 0, Aurora replica lag, Redis CPU and evictions, DynamoDB throttles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.cell.context import CellContext

PERIOD_SECONDS: Final = 60
FIVE_MINUTES: Final = 5
ALB_5XX_PERCENT: Final = 5.0
P99_LATENCY_SECONDS: Final = 2.0
# Thresholds are per one-minute period, breached for five minutes in a row.
LAMBDA_ERRORS_PER_MINUTE: Final = 1
AURORA_LAG_MS: Final = 1000
REDIS_CPU_PERCENT: Final = 80
REDIS_EVICTIONS_PER_MINUTE: Final = 200


@dataclass(frozen=True)
class AlarmTargets:
    """What the alarms watch in one cell (names and dimensions, resolved at deploy time)."""

    alb_arn_suffix: pulumi.Output[str]
    functions: Mapping[str, pulumi.Output[str]]  # role -> function name
    dead_letter_queues: Mapping[str, pulumi.Output[str]]  # role -> queue name
    redis_group_id: pulumi.Output[str] | None  # None: no catalog cache in this cell
    redis_nodes: int
    aurora_cluster_id: pulumi.Output[str]
    table_names: Mapping[str, pulumi.Output[str]]  # logical name -> table name
    # EventBridge rules whose deliveries fail silently otherwise: role -> rule name
    event_rules: Mapping[str, pulumi.Output[str]]


class CellAlarms:
    def __init__(self, ctx: CellContext) -> None:
        self._ctx = ctx
        self.topic = aws.sns.Topic(
            ctx.name("alarms"), kms_master_key_id=ctx.key_arn, opts=ctx.opts()
        )
        # The topic's one policy: the account manages it; CloudWatch alarms and EventBridge
        # rules (GuardDuty findings) of this account only may publish.
        same_account = {"StringEquals": {"aws:SourceAccount": ctx.data.account_id}}
        aws.sns.TopicPolicy(
            ctx.name("alarms", "policy"),
            arn=self.topic.arn,
            policy=iam.document(
                [
                    {
                        "Sid": "AccountManages",
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": pulumi.Output.concat(
                                "arn:aws:iam::", ctx.data.account_id, ":root"
                            )
                        },
                        "Action": [
                            "sns:GetTopicAttributes",
                            "sns:SetTopicAttributes",
                            "sns:AddPermission",
                            "sns:RemovePermission",
                            "sns:DeleteTopic",
                            "sns:Subscribe",
                            "sns:ListSubscriptionsByTopic",
                            "sns:Publish",
                        ],
                        "Resource": self.topic.arn,
                    },
                    {
                        "Sid": "AlarmsAndEventsPublish",
                        "Effect": "Allow",
                        "Principal": {
                            "Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
                        },
                        "Action": "sns:Publish",
                        "Resource": self.topic.arn,
                        "Condition": same_account,
                    },
                ]
            ),
            opts=ctx.opts(),
        )
        if ctx.config.alarm_email:
            aws.sns.TopicSubscription(
                ctx.name("alarms", "email"),
                topic=self.topic.arn,
                protocol="email",
                endpoint=ctx.config.alarm_email,
                opts=ctx.opts(),
            )
        self.alarms: list[aws.cloudwatch.MetricAlarm] = []

    def alarm(self, name: str, description: str, **kwargs: Any) -> aws.cloudwatch.MetricAlarm:
        kwargs.setdefault("treat_missing_data", "notBreaching")
        kwargs.setdefault("evaluation_periods", FIVE_MINUTES)
        kwargs.setdefault("comparison_operator", "GreaterThanThreshold")
        alarm = aws.cloudwatch.MetricAlarm(
            self._ctx.name("alarm", name),
            alarm_description=f"{description} ({self._ctx.region})",
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            opts=self._ctx.opts(),
            **kwargs,
        )
        self.alarms.append(alarm)
        return alarm

    def metric(
        self,
        name: str,
        description: str,
        namespace: str,
        metric_name: str,
        dimensions: Mapping[str, pulumi.Input[str]],
        threshold: float,
        statistic: str = "Sum",
        **kwargs: Any,
    ) -> aws.cloudwatch.MetricAlarm:
        if statistic.startswith("p"):
            kwargs["extended_statistic"] = statistic
        else:
            kwargs["statistic"] = statistic
        return self.alarm(
            name,
            description,
            namespace=namespace,
            metric_name=metric_name,
            dimensions=dict(dimensions),
            threshold=threshold,
            period=PERIOD_SECONDS,
            **kwargs,
        )

    def ratio(
        self,
        name: str,
        description: str,
        expression: str,
        parts: Sequence[tuple[str, str, str, Mapping[str, pulumi.Input[str]]]],
        threshold: float,
    ) -> aws.cloudwatch.MetricAlarm:
        """An alarm on metric math over (id, namespace, metric, dimensions) sums."""
        queries = [
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=query_id,
                return_data=False,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=namespace,
                    metric_name=metric,
                    dimensions=dict(dimensions),
                    period=PERIOD_SECONDS,
                    stat="Sum",
                ),
            )
            for query_id, namespace, metric, dimensions in parts
        ]
        queries.append(
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="result", expression=expression, label=name, return_data=True
            )
        )
        return self.alarm(name, description, metric_queries=queries, threshold=threshold)


def cell_alarms(ctx: CellContext, targets: AlarmTargets) -> CellAlarms:
    alarms = CellAlarms(ctx)
    alb = {"LoadBalancer": targets.alb_arn_suffix}
    alarms.ratio(
        "alb-5xx-rate",
        f"ALB 5xx responses above {ALB_5XX_PERCENT}% of requests",
        "100 * (elb5xx + target5xx) / MAX([requests, 1])",
        [
            ("elb5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb),
            ("target5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb),
            ("requests", "AWS/ApplicationELB", "RequestCount", alb),
        ],
        ALB_5XX_PERCENT,
    )
    alarms.metric(
        "alb-p99-latency",
        f"Target p99 latency above {P99_LATENCY_SECONDS}s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        alb,
        P99_LATENCY_SECONDS,
        statistic="p99",
    )
    for role, function in targets.functions.items():
        dimensions = {"FunctionName": function}
        alarms.metric(
            f"{role}-errors",
            f"{role} Lambda errors",
            "AWS/Lambda",
            "Errors",
            dimensions,
            LAMBDA_ERRORS_PER_MINUTE,
        )
        alarms.metric(
            f"{role}-throttles",
            f"{role} Lambda throttled",
            "AWS/Lambda",
            "Throttles",
            dimensions,
            0,
        )
    for role, rule in targets.event_rules.items():
        # A delivery EventBridge cannot make (queue policy, key policy) leaves no other trace.
        alarms.metric(
            f"{role}-failed-invocations",
            f"{role} rule could not deliver its events",
            "AWS/Events",
            "FailedInvocations",
            {"RuleName": rule},
            0,
        )
    for role, queue in targets.dead_letter_queues.items():
        alarms.metric(
            f"{role}-depth",
            f"Messages waiting in the {role} dead-letter queue",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": queue},
            0,
            statistic="Maximum",
            evaluation_periods=1,
        )
    lag_metric = "AuroraReplicaLag" if ctx.is_primary else "AuroraGlobalDBReplicationLag"
    alarms.metric(
        "aurora-replica-lag",
        f"Aurora {lag_metric} above {AURORA_LAG_MS} ms",
        "AWS/RDS",
        lag_metric,
        {"DBClusterIdentifier": targets.aurora_cluster_id},
        AURORA_LAG_MS,
        statistic="Maximum",
    )
    group = targets.redis_group_id
    nodes = targets.redis_nodes if group is not None else 0  # no catalog cache: no alarms
    for node in range(1, nodes + 1):
        assert group is not None
        node_id = pulumi.Output.concat(group, f"-{node:03d}")
        alarms.metric(
            f"redis-{node}-cpu",
            f"Redis node {node} engine CPU above {REDIS_CPU_PERCENT}%",
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            {"CacheClusterId": node_id},
            REDIS_CPU_PERCENT,
            statistic="Average",
        )
        alarms.metric(
            f"redis-{node}-evictions",
            f"Redis node {node} evicting keys",
            "AWS/ElastiCache",
            "Evictions",
            {"CacheClusterId": node_id},
            REDIS_EVICTIONS_PER_MINUTE,
        )
    for logical, table in targets.table_names.items():
        dims = {"TableName": table}
        alarms.ratio(
            f"{logical}-throttles",
            f"DynamoDB {logical} requests throttled",
            "reads + writes",
            [
                ("reads", "AWS/DynamoDB", "ReadThrottleEvents", dims),
                ("writes", "AWS/DynamoDB", "WriteThrottleEvents", dims),
            ],
            0,
        )
    return alarms
