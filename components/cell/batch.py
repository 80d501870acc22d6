"""AWS Batch for uploads too large for the asset Lambda: a job queue on a managed spot compute
environment in the private subnets, running the asset image's `python -m handlers.asset
--publish ...` (the asset service submits the job with that command).

The image is the asset Lambda's image with the entry point reset: Lambda's base image starts
the runtime interface client, which takes exactly one argument (the handler) and cannot run a
command. The reset is one inline layer on top of the pushed image (components/images).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.cell.context import CellContext
from stack_config.config import Architecture

# Spot capacity for model processing: compute-optimised Graviton or x86 families.
INSTANCE_FAMILIES: Final = {
    "arm64": ("c7g", "c6g", "m7g", "m6g"),
    "x86_64": ("c7i", "c6i", "m7i", "m6i"),
}
MAX_VCPUS: Final = 64
JOB_VCPUS: Final = 4
JOB_MEMORY_MB: Final = 16384
JOB_TIMEOUT_SECONDS: Final = 3600
JOB_ATTEMPTS: Final = 3
# Retry only when spot took the instance away; a rejected model fails once.
SPOT_RECLAIMED: Final = "Host EC2*"
ECS_INSTANCE_POLICY: Final = (
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
)
EXECUTION_POLICY: Final = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
DEFAULT_COMMAND: Final = ("python", "-m", "handlers.asset", "--help")


@dataclass(frozen=True)
class AssetBatch:
    job_queue: aws.batch.JobQueue
    job_definition: aws.batch.JobDefinition
    hosts: BatchHosts


@dataclass(frozen=True)
class BatchHosts:
    """What every compute environment of the cell shares: the hosts' role and template."""

    instance_profile: aws.iam.InstanceProfile
    launch_template: aws.ec2.LaunchTemplate


@dataclass(frozen=True)
class JobRoles:
    job_role: aws.iam.Role
    execution_role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup
    # The roles' policies: a job definition depends on them, so a job submitted right after
    # the deploy runs with complete roles.
    grants: list[pulumi.Resource]


def _instance_profile(ctx: CellContext) -> aws.iam.InstanceProfile:
    role = aws.iam.Role(
        ctx.name("batch", "instance-role"),
        assume_role_policy=iam.assume_role("ec2.amazonaws.com"),
        opts=ctx.opts(),
    )
    ecs = aws.iam.RolePolicyAttachment(
        ctx.name("batch", "instance-role", "ecs"),
        role=role.name,
        policy_arn=ECS_INSTANCE_POLICY,
        opts=ctx.opts(),
    )
    # Whatever launches hosts with the profile waits for the role's policy, not just the role.
    return aws.iam.InstanceProfile(
        ctx.name("batch", "instance-profile"), role=role.name, opts=ctx.opts(depends_on=[ecs])
    )


def _launch_template(ctx: CellContext) -> aws.ec2.LaunchTemplate:
    """IMDSv2 only and an encrypted root volume for the Batch hosts.

    Hop limit 1: containers (bridge network, one hop further) cannot reach the instance
    metadata and so not the instance role; jobs get their own role from the ECS agent's
    credentials endpoint. The volume uses the AWS-managed EBS key: Batch launches hosts
    through a service-linked role that the data key's policy does not grant (instances
    would fail to launch and jobs stay RUNNABLE)."""
    return aws.ec2.LaunchTemplate(
        ctx.name("batch", "launch-template"),
        description="shop3d Batch hosts: IMDSv2 only, encrypted root volume",
        metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
        ),
        block_device_mappings=[
            aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    encrypted="true",
                    volume_size=100,
                    volume_type="gp3",
                    delete_on_termination="true",
                ),
            )
        ],
        opts=ctx.opts(),
    )


def spot_environment(
    ctx: CellContext,
    logical_name: str,
    hosts: BatchHosts,
    instance_types: Sequence[str],
    image_type: str,
    max_vcpus: int = MAX_VCPUS,
) -> aws.batch.ComputeEnvironment:
    """A managed spot compute environment in the private subnets, scaled to zero when idle;
    `image_type` is the ECS AMI (ECS_AL2023, or ECS_AL2_NVIDIA for GPU instances)."""
    return aws.batch.ComputeEnvironment(
        logical_name,
        type="MANAGED",
        compute_resources=aws.batch.ComputeEnvironmentComputeResourcesArgs(
            type="SPOT",
            allocation_strategy="SPOT_PRICE_CAPACITY_OPTIMIZED",
            min_vcpus=0,
            max_vcpus=max_vcpus,
            instance_types=list(instance_types),
            subnets=ctx.network.private_subnet_ids,
            security_group_ids=[ctx.network.batch_security_group_id],
            instance_role=hosts.instance_profile.arn,
            launch_template=aws.batch.ComputeEnvironmentComputeResourcesLaunchTemplateArgs(
                launch_template_id=hosts.launch_template.id,
                version=hosts.launch_template.latest_version.apply(str),
            ),
            ec2_configurations=[
                aws.batch.ComputeEnvironmentComputeResourcesEc2ConfigurationArgs(
                    image_type=image_type
                )
            ],
        ),
        opts=ctx.opts(),
    )


def job_queue(
    ctx: CellContext, logical_name: str, physical: str, compute: aws.batch.ComputeEnvironment
) -> aws.batch.JobQueue:
    return aws.batch.JobQueue(
        logical_name,
        name=ctx.physical(physical),
        state="ENABLED",
        priority=1,
        compute_environment_orders=[
            aws.batch.JobQueueComputeEnvironmentOrderArgs(order=1, compute_environment=compute.arn)
        ],
        opts=ctx.opts(),
    )


def job_roles(ctx: CellContext, part: str, data_statements: Sequence[iam.Statement]) -> JobRoles:
    """A job's role (its data access), the ECS execution role (pull, logs) and its log group;
    `part` names them ("batch": the asset jobs, "render": the poster jobs)."""
    log_group = aws.cloudwatch.LogGroup(
        ctx.name(part, "logs"),
        retention_in_days=ctx.config.log_retention_days,
        kms_key_id=ctx.key_arn,
        opts=ctx.opts(),
    )
    job_role = aws.iam.Role(
        ctx.name(part, "job-role"),
        assume_role_policy=iam.assume_role("ecs-tasks.amazonaws.com"),
        opts=ctx.opts(),
    )
    job_policy = aws.iam.RolePolicy(
        ctx.name(part, "job-role", "policy"),
        role=job_role.id,
        policy=iam.document(list(data_statements)),
        opts=ctx.opts(),
    )
    execution_role = aws.iam.Role(
        ctx.name(part, "execution-role"),
        assume_role_policy=iam.assume_role("ecs-tasks.amazonaws.com"),
        opts=ctx.opts(),
    )
    execution_ecs = aws.iam.RolePolicyAttachment(
        ctx.name(part, "execution-role", "ecs"),
        role=execution_role.name,
        policy_arn=EXECUTION_POLICY,
        opts=ctx.opts(),
    )
    execution_policy = aws.iam.RolePolicy(
        ctx.name(part, "execution-role", "policy"),
        role=execution_role.id,
        policy=iam.document([iam.allow(["kms:Decrypt"], [ctx.key_arn])]),
        opts=ctx.opts(),
    )
    return JobRoles(
        job_role, execution_role, log_group, [job_policy, execution_ecs, execution_policy]
    )


def container_properties(
    ctx: CellContext,
    image: pulumi.Input[str],
    roles: JobRoles,
    environment: Mapping[str, pulumi.Input[str]],
    requirements: Mapping[str, int],
    command: Sequence[str],
    stream_prefix: str,
) -> pulumi.Output[str]:
    """The job definition's container properties as JSON (`requirements`: VCPU, MEMORY, GPU)."""
    return pulumi.Output.all(
        image=image,
        job_role=roles.job_role.arn,
        execution_role=roles.execution_role.arn,
        log_group=roles.log_group.name,
        environment=dict(environment),
    ).apply(
        lambda v: json.dumps(
            {
                "image": v["image"],
                "command": list(command),
                "jobRoleArn": v["job_role"],
                "executionRoleArn": v["execution_role"],
                "resourceRequirements": [
                    {"type": kind, "value": str(amount)} for kind, amount in requirements.items()
                ],
                "environment": [
                    {"name": k, "value": val} for k, val in sorted(v["environment"].items())
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": v["log_group"],
                        "awslogs-region": ctx.region,
                        "awslogs-stream-prefix": stream_prefix,
                    },
                },
            },
            sort_keys=True,
        )
    )


def job_definition(
    ctx: CellContext,
    part: str,
    physical: str,
    properties: pulumi.Input[str],
    roles: JobRoles,
    retry: aws.batch.JobDefinitionRetryStrategyArgs,
    timeout_seconds: int = JOB_TIMEOUT_SECONDS,
) -> aws.batch.JobDefinition:
    """An EC2 container job of the cell, each try bounded by `timeout_seconds`."""
    return aws.batch.JobDefinition(
        ctx.name(part, "job"),
        name=ctx.physical(physical),
        type="container",
        platform_capabilities=["EC2"],
        container_properties=properties,
        timeout=aws.batch.JobDefinitionTimeoutArgs(attempt_duration_seconds=timeout_seconds),
        retry_strategy=retry,
        propagate_tags=True,
        # A job submitted right after the deploy runs with complete roles.
        opts=ctx.opts(depends_on=roles.grants),
    )


def asset_batch(
    ctx: CellContext,
    architecture: Architecture,
    batch_image: pulumi.Output[str],
    environment: Mapping[str, pulumi.Input[str]],
    data_statements: Sequence[iam.Statement],
) -> AssetBatch:
    hosts = BatchHosts(_instance_profile(ctx), _launch_template(ctx))
    compute = spot_environment(
        ctx, ctx.name("batch", "spot"), hosts, INSTANCE_FAMILIES[architecture], "ECS_AL2023"
    )
    queue = job_queue(ctx, ctx.name("batch", "queue"), "asset-batch", compute)
    roles = job_roles(ctx, "batch", data_statements)
    properties = container_properties(
        ctx,
        batch_image,
        roles,
        environment,
        {"VCPU": JOB_VCPUS, "MEMORY": JOB_MEMORY_MB},
        DEFAULT_COMMAND,
        "asset",
    )
    retry = aws.batch.JobDefinitionRetryStrategyArgs(
        attempts=JOB_ATTEMPTS,
        evaluate_on_exits=[
            aws.batch.JobDefinitionRetryStrategyEvaluateOnExitArgs(
                on_status_reason=SPOT_RECLAIMED, action="RETRY"
            ),
            aws.batch.JobDefinitionRetryStrategyEvaluateOnExitArgs(on_reason="*", action="EXIT"),
        ],
    )
    definition = job_definition(ctx, "batch", "asset-batch", properties, roles, retry)
    return AssetBatch(job_queue=queue, job_definition=definition, hosts=hosts)
