"""A cell's order events: the region's EventBridge bus (the cart's outbox relay publishes to it),
the notifications path (a rule sends OrderPaid and OrderExpired to an SQS queue feeding the
notifications Lambda, which mails through SES v2 from the stack's domain, verified with Easy
DKIM: the edge writes the DKIM CNAMEs into the zone), and in the writer's region the order jobs
Lambda that EventBridge Scheduler runs every minute (reservation expiry, outbox sweep)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.artifacts import LambdaArtifact, lambda_artifact
from components.cell.context import CellContext
from components.cell.lambdas import CellFunction, FunctionSpec, cell_function
from handlers.shared import env
from handlers.shared.functions import (
    NOTIFICATIONS_HANDLER,
    NOTIFICATIONS_MEMORY_MB,
    NOTIFICATIONS_TIMEOUT_SECONDS,
    ORDER_JOBS_HANDLER,
    ORDER_JOBS_MEMORY_MB,
    ORDER_JOBS_TIMEOUT_SECONDS,
)
from handlers.shared.order_events import notification_pattern

JOBS_SCHEDULE: Final = "rate(1 minute)"
SENDER_LOCAL_PART: Final = "orders"
# AWS's advice: a queue's visibility timeout at least six times its function's timeout.
VISIBILITY_FACTOR: Final = 6
MAX_RECEIVES: Final = 5
NOTIFICATION_BATCH: Final = 10
NOTIFICATIONS_MAX_CONCURRENCY: Final = 2  # the event source mapping's minimum


@dataclass(frozen=True)
class CellOrders:
    bus: aws.cloudwatch.EventBus
    # The rule feeding the notifications queue (None without a domain).
    notifications_rule: aws.cloudwatch.EventRule | None
    # None without shop3d:domain (no identity to send from).
    email_identity: aws.sesv2.EmailIdentity | None
    notifications: CellFunction | None

    @property
    def dkim_tokens(self) -> pulumi.Output[list[str]] | None:
        if self.email_identity is None:
            return None
        return self.email_identity.dkim_signing_attributes.apply(
            lambda attributes: list((attributes.tokens if attributes else None) or [])
        )


def cell_orders(ctx: CellContext, dead_letter_arn: pulumi.Input[str]) -> CellOrders:
    bus = aws.cloudwatch.EventBus(
        ctx.name("orders", "bus"), name=ctx.physical("orders", ctx.region), opts=ctx.opts()
    )
    domain = ctx.config.domain
    if domain is None:
        return CellOrders(bus=bus, notifications_rule=None, email_identity=None, notifications=None)
    identity = aws.sesv2.EmailIdentity(
        ctx.name("orders", "email-identity"), email_identity=domain, opts=ctx.opts()
    )
    function, rule = _notifications(
        ctx, bus, identity, f"{SENDER_LOCAL_PART}@{domain}", dead_letter_arn
    )
    return CellOrders(
        bus=bus, notifications_rule=rule, email_identity=identity, notifications=function
    )


def _notifications(
    ctx: CellContext,
    bus: aws.cloudwatch.EventBus,
    identity: aws.sesv2.EmailIdentity,
    sender: str,
    dead_letter_arn: pulumi.Input[str],
) -> tuple[CellFunction, aws.cloudwatch.EventRule]:
    dlq = aws.sqs.Queue(
        ctx.name("notifications", "dlq"),
        sqs_managed_sse_enabled=True,
        message_retention_seconds=14 * 86400,
        opts=ctx.opts(),
    )
    queue = aws.sqs.Queue(
        ctx.name("notifications", "queue"),
        sqs_managed_sse_enabled=True,
        visibility_timeout_seconds=VISIBILITY_FACTOR * NOTIFICATIONS_TIMEOUT_SECONDS,
        redrive_policy=dlq.arn.apply(
            lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": MAX_RECEIVES})
        ),
        opts=ctx.opts(),
    )
    rule = aws.cloudwatch.EventRule(
        ctx.name("notifications", "rule"),
        event_bus_name=bus.name,
        event_pattern=notification_pattern(),
        opts=ctx.opts(),
    )
    aws.sqs.QueuePolicy(
        ctx.name("notifications", "queue-policy"),
        queue_url=queue.url,
        policy=iam.document(
            [
                iam.service_may(
                    "events.amazonaws.com",
                    "sqs:SendMessage",
                    queue.arn,
                    {"ArnEquals": {"aws:SourceArn": rule.arn}},
                    sid="OrderEvents",
                )
            ]
        ),
        opts=ctx.opts(),
    )
    aws.cloudwatch.EventTarget(
        ctx.name("notifications", "target"),
        rule=rule.name,
        event_bus_name=bus.name,
        arn=queue.arn,
        opts=ctx.opts(),
    )
    idempotency = ctx.data.idempotency
    function = cell_function(
        ctx,
        FunctionSpec(
            role="notifications",
            artifact=cart_entry(ctx, NOTIFICATIONS_HANDLER),
            description="shop3d order e-mails (SES v2) from the order events queue",
            memory_mb=NOTIFICATIONS_MEMORY_MB,
            timeout_seconds=NOTIFICATIONS_TIMEOUT_SECONDS,
            environment={
                env.IDEMPOTENCY_TABLE: idempotency.name,
                env.ORDER_EMAIL_FROM: sender,
            },
            statements=[
                iam.allow(
                    ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                    [queue.arn],
                    sid="OrderEventsQueue",
                ),
                iam.allow(["ses:SendEmail"], [identity.arn], sid="SendFromDomain"),
                iam.allow(
                    ["dynamodb:PutItem", "dynamodb:DeleteItem"],
                    [idempotency.arn],
                    sid="NotificationClaims",
                ),
            ],
        ),
        dead_letter_arn=dead_letter_arn,
    )
    aws.lambda_.EventSourceMapping(
        ctx.name("notifications", "events"),
        event_source_arn=queue.arn,
        function_name=function.function.arn,
        batch_size=NOTIFICATION_BATCH,
        function_response_types=["ReportBatchItemFailures"],
        # A cap without a reservation (an order's e-mails can wait; the cart API cannot).
        scaling_config=aws.lambda_.EventSourceMappingScalingConfigArgs(
            maximum_concurrency=NOTIFICATIONS_MAX_CONCURRENCY
        ),
        opts=ctx.opts(),
    )
    return function, rule


def cart_entry(ctx: CellContext, handler: str) -> LambdaArtifact:
    """The cart's package with another entry point (one artifact, several functions)."""
    return dataclasses.replace(
        lambda_artifact("cart", ctx.config.lambda_architecture), handler=handler
    )


def order_jobs(
    ctx: CellContext, cart: FunctionSpec, dead_letter_arn: pulumi.Input[str]
) -> aws.scheduler.Schedule:
    """The writer region's order jobs: the cart's code, environment and grants (it reads the
    same tables and signs in as the same database user), another entry point, run every minute
    by EventBridge Scheduler. Two overlapping runs are safe (SKIP LOCKED)."""
    jobs = cell_function(
        ctx,
        dataclasses.replace(
            cart,
            role="order-jobs",
            artifact=dataclasses.replace(cart.artifact, handler=ORDER_JOBS_HANDLER),
            description="shop3d order jobs: reservation expiry and the outbox sweep",
            memory_mb=ORDER_JOBS_MEMORY_MB,
            timeout_seconds=ORDER_JOBS_TIMEOUT_SECONDS,
        ),
        dead_letter_arn=dead_letter_arn,
    )
    role = aws.iam.Role(
        ctx.name("order-jobs", "scheduler-role"),
        assume_role_policy=iam.assume_role("scheduler.amazonaws.com"),
        opts=ctx.opts(),
    )
    invoke = aws.iam.RolePolicy(
        ctx.name("order-jobs", "scheduler-invoke"),
        role=role.id,
        policy=iam.document(
            [iam.allow(["lambda:InvokeFunction"], [jobs.function.arn], sid="RunOrderJobs")]
        ),
        opts=ctx.opts(),
    )
    return aws.scheduler.Schedule(
        ctx.name("order-jobs", "schedule"),
        schedule_expression=JOBS_SCHEDULE,
        flexible_time_window={"mode": "OFF"},
        # A missed minute is made up by the next run: no retries piling up behind a slow one.
        target={
            "arn": jobs.function.arn,
            "role_arn": role.arn,
            "retry_policy": {"maximum_retry_attempts": 0},
        },
        # The role may invoke only once its policy exists.
        opts=ctx.opts(depends_on=[invoke]),
    )
