"""AWS Batch for uploads too large for the asset Lambda: a job queue on a managed spot compute
environment in the private subnets, running the asset image's `python -m handlers.asset
--publish ...` (the asset service submits the job with that command).

The image is the asset Lambda's image with the entry point reset: Lambda's base image starts
the runtime interface client, which takes exactly one argument (the handler) and cannot run a
command. The reset is one inline layer on top of the pushed image, built next to it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

from components import iam
from components.artifacts import ContainerImage
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


def _batch_image(
    ctx: CellContext,
    image: ContainerImage,
    lambda_image_ref: pulumi.Output[str],
    repository: aws.ecr.Repository,
) -> pulumi.Output[str]:
    token = aws.ecr.get_authorization_token_output(
        registry_id=repository.registry_id, opts=pulumi.InvokeOutputOptions(parent=ctx.parent)
    )
    built = docker_build.Image(
        ctx.name("asset", "batch-image"),
        dockerfile=docker_build.DockerfileArgs(
            inline=lambda_image_ref.apply(lambda ref: f"FROM {ref}\nENTRYPOINT []\n")
        ),
        # The inline Dockerfile copies nothing: a small folder keeps the uploaded context tiny.
        context=docker_build.BuildContextArgs(location=str(image.dockerfile.parent)),
        platforms=[docker_build.Platform(image.platform)],
        push=True,
        # A preview needs no Docker engine: the image is built by `pulumi up` only.
        build_on_preview=False,
        tags=[pulumi.Output.concat(repository.repository_url, ":", image.tag, "-batch")],
        registries=[
            docker_build.RegistryArgs(
                address=repository.repository_url,
                username=token.user_name,
                password=pulumi.Output.secret(token.password),
            )
        ],
        opts=ctx.opts(),
    )
    return built.ref


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


def asset_batch(
    ctx: CellContext,
    architecture: Architecture,
    image: ContainerImage,
    lambda_image_ref: pulumi.Output[str],
    repository: aws.ecr.Repository,
    environment: Mapping[str, pulumi.Input[str]],
    data_statements: Sequence[iam.Statement],
) -> AssetBatch:
    batch_image = _batch_image(ctx, image, lambda_image_ref, repository)
    template = _launch_template(ctx)
    compute = aws.batch.ComputeEnvironment(
        ctx.name("batch", "spot"),
        type="MANAGED",
        compute_resources=aws.batch.ComputeEnvironmentComputeResourcesArgs(
            type="SPOT",
            allocation_strategy="SPOT_PRICE_CAPACITY_OPTIMIZED",
            min_vcpus=0,
            max_vcpus=MAX_VCPUS,
            instance_types=list(INSTANCE_FAMILIES[architecture]),
            subnets=ctx.network.private_subnet_ids,
            security_group_ids=[ctx.network.batch_security_group_id],
            instance_role=_instance_profile(ctx).arn,
            launch_template=aws.batch.ComputeEnvironmentComputeResourcesLaunchTemplateArgs(
                launch_template_id=template.id, version=template.latest_version.apply(str)
            ),
            ec2_configurations=[
                aws.batch.ComputeEnvironmentComputeResourcesEc2ConfigurationArgs(
                    image_type="ECS_AL2023"
                )
            ],
        ),
        opts=ctx.opts(),
    )
    queue = aws.batch.JobQueue(
        ctx.name("batch", "queue"),
        name=ctx.physical("asset-batch"),
        state="ENABLED",
        priority=1,
        compute_environment_orders=[
            aws.batch.JobQueueComputeEnvironmentOrderArgs(order=1, compute_environment=compute.arn)
        ],
        opts=ctx.opts(),
    )
    log_group = aws.cloudwatch.LogGroup(
        ctx.name("batch", "logs"),
        retention_in_days=ctx.config.log_retention_days,
        kms_key_id=ctx.key_arn,
        opts=ctx.opts(),
    )
    job_role = aws.iam.Role(
        ctx.name("batch", "job-role"),
        assume_role_policy=iam.assume_role("ecs-tasks.amazonaws.com"),
        opts=ctx.opts(),
    )
    job_policy = aws.iam.RolePolicy(
        ctx.name("batch", "job-role", "policy"),
        role=job_role.id,
        policy=iam.document(list(data_statements)),
        opts=ctx.opts(),
    )
    execution_role = aws.iam.Role(
        ctx.name("batch", "execution-role"),
        assume_role_policy=iam.assume_role("ecs-tasks.amazonaws.com"),
        opts=ctx.opts(),
    )
    execution_ecs = aws.iam.RolePolicyAttachment(
        ctx.name("batch", "execution-role", "ecs"),
        role=execution_role.name,
        policy_arn=EXECUTION_POLICY,
        opts=ctx.opts(),
    )
    execution_policy = aws.iam.RolePolicy(
        ctx.name("batch", "execution-role", "policy"),
        role=execution_role.id,
        policy=iam.document([iam.allow(["kms:Decrypt"], [ctx.key_arn])]),
        opts=ctx.opts(),
    )
    properties = pulumi.Output.all(
        image=batch_image,
        job_role=job_role.arn,
        execution_role=execution_role.arn,
        log_group=log_group.name,
        environment=dict(environment),
    ).apply(
        lambda v: json.dumps(
            {
                "image": v["image"],
                "command": list(DEFAULT_COMMAND),
                "jobRoleArn": v["job_role"],
                "executionRoleArn": v["execution_role"],
                "resourceRequirements": [
                    {"type": "VCPU", "value": str(JOB_VCPUS)},
                    {"type": "MEMORY", "value": str(JOB_MEMORY_MB)},
                ],
                "environment": [
                    {"name": k, "value": val} for k, val in sorted(v["environment"].items())
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": v["log_group"],
                        "awslogs-region": ctx.region,
                        "awslogs-stream-prefix": "asset",
                    },
                },
            },
            sort_keys=True,
        )
    )
    definition = aws.batch.JobDefinition(
        ctx.name("batch", "job"),
        name=ctx.physical("asset-batch"),
        type="container",
        platform_capabilities=["EC2"],
        container_properties=properties,
        timeout=aws.batch.JobDefinitionTimeoutArgs(attempt_duration_seconds=JOB_TIMEOUT_SECONDS),
        retry_strategy=aws.batch.JobDefinitionRetryStrategyArgs(
            attempts=JOB_ATTEMPTS,
            evaluate_on_exits=[
                aws.batch.JobDefinitionRetryStrategyEvaluateOnExitArgs(
                    on_status_reason=SPOT_RECLAIMED, action="RETRY"
                ),
                aws.batch.JobDefinitionRetryStrategyEvaluateOnExitArgs(
                    on_reason="*", action="EXIT"
                ),
            ],
        ),
        propagate_tags=True,
        # A job submitted right after the deploy runs with complete roles.
        opts=ctx.opts(depends_on=[job_policy, execution_ecs, execution_policy]),
    )
    return AssetBatch(job_queue=queue, job_definition=definition)
