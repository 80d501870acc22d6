"""The poster render queue on AWS Batch: Chromium draws each READY product with the
storefront's viewer (`python -m handlers.asset.posters <sku> <manifest key>`, submitted by the
asset service after publish). `renderCompute: gpu` runs it on g-family spot instances with the
ECS GPU AMI (one GPU per job); `cpu` on compute spot with SwiftShader.

The image (handlers/asset/posters/Dockerfile: Debian's Chromium, node with playwright-core, the
built storefront, the asset handlers) is built once in the primary region and replicated
(components/images).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.cell.batch import (
    BatchHosts,
    container_properties,
    job_definition,
    job_queue,
    job_roles,
    spot_environment,
)
from components.cell.context import CellContext
from handlers.shared import env
from handlers.shared.posters import ATTEMPTS
from stack_config.config import RenderCompute

# x86_64 only: Debian's Chromium and NVIDIA's ECS AMI are both built for it.
INSTANCE_TYPES: Final[Mapping[RenderCompute, tuple[str, ...]]] = {
    "gpu": ("g6", "g5", "g4dn"),  # NVIDIA L4 / A10G / T4, the cheapest g families on spot
    "cpu": ("c7i", "c6i", "m7i"),
}
IMAGE_TYPES: Final[Mapping[RenderCompute, str]] = {"gpu": "ECS_AL2_NVIDIA", "cpu": "ECS_AL2023"}
# A job: 4 vCPUs and 8 GiB (a g4dn.xlarge's worth), plus the GPU on the gpu route.
REQUIREMENTS: Final[Mapping[RenderCompute, Mapping[str, int]]] = {
    "gpu": {"VCPU": 4, "MEMORY": 8192, "GPU": 1},
    "cpu": {"VCPU": 4, "MEMORY": 8192},
}
MAX_VCPUS: Final = 16
JOB_TIMEOUT_SECONDS: Final = 900
DEFAULT_COMMAND: Final = ("python", "-m", "handlers.asset.posters")


@dataclass(frozen=True)
class RenderBatch:
    job_queue: aws.batch.JobQueue
    job_definition: aws.batch.JobDefinition


def render_batch(
    ctx: CellContext,
    hosts: BatchHosts,
    image: pulumi.Output[str],
    environment: Mapping[str, pulumi.Input[str]],
    data_statements: Sequence[iam.Statement],
) -> RenderBatch:
    compute: RenderCompute = ctx.config.render_compute
    environment_ = spot_environment(
        ctx,
        ctx.name("render", compute),
        hosts,
        INSTANCE_TYPES[compute],
        IMAGE_TYPES[compute],
        MAX_VCPUS,
    )
    queue = job_queue(ctx, ctx.name("render", "queue"), "render", environment_)
    roles = job_roles(ctx, "render", data_statements)
    properties = container_properties(
        ctx,
        image,
        roles,
        {**environment, env.RENDER_COMPUTE: compute},
        REQUIREMENTS[compute],
        DEFAULT_COMMAND,
        "render",
    )
    # Every failure is retried (a crashed Chromium, a reclaimed spot host); after the last
    # the product stays READY without posters (the job never touched its manifest).
    retry = aws.batch.JobDefinitionRetryStrategyArgs(attempts=ATTEMPTS)
    definition = job_definition(
        ctx, "render", "render", properties, roles, retry, JOB_TIMEOUT_SECONDS
    )
    return RenderBatch(job_queue=queue, job_definition=definition)
