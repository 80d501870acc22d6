"""VPC flow logs of a cell to CloudWatch Logs (the region's key, the stack's retention). Built
in the cell rather than in CellNetwork because the key comes from GlobalData, which is built
after the networks."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components import iam
from components.cell.context import CellContext

AGGREGATION_SECONDS = 60


def cell_flow_logs(ctx: CellContext) -> aws.ec2.FlowLog:
    log_group = aws.cloudwatch.LogGroup(
        ctx.name("flow-logs"),
        retention_in_days=ctx.config.log_retention_days,
        kms_key_id=ctx.key_arn,
        opts=ctx.opts(),
    )
    role = aws.iam.Role(
        ctx.name("flow-logs", "role"),
        assume_role_policy=iam.assume_role("vpc-flow-logs.amazonaws.com"),
        opts=ctx.opts(),
    )
    policy = aws.iam.RolePolicy(
        ctx.name("flow-logs", "role", "policy"),
        role=role.id,
        policy=iam.document(
            [
                iam.allow(
                    ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [log_group.arn, pulumi.Output.concat(log_group.arn, ":*")],
                )
            ]
        ),
        opts=ctx.opts(),
    )
    return aws.ec2.FlowLog(
        ctx.name("flow-log"),
        vpc_id=ctx.network.vpc_id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=log_group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=AGGREGATION_SECONDS,
        opts=ctx.opts(depends_on=[policy]),
    )
