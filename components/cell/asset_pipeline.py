"""The asset pipeline of one cell: uploads bucket -> S3 event notification -> SQS (dead-letter
queue after MAX_RECEIVES) -> asset Lambda; uploads above `assetBatchThresholdMb` are handed by the
Lambda to AWS Batch on spot, running the same code.

Uploads arrive in this region's uploads bucket and publish into this region's own assets bucket
(through the VPC's S3 gateway endpoint: no NAT, no cross-region write, and publishing goes on
while another region is down); every assets bucket replicates to every other
(components/data/storage.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.artifacts import lambda_artifact
from components.cell.batch import AssetBatch, asset_batch
from components.cell.context import CellContext
from components.cell.lambdas import CellFunction, FunctionSpec, cell_function
from components.cell.render_batch import render_batch
from components.interfaces import RegionImages
from handlers.shared import env, storage, tables
from handlers.shared.functions import ASSET_MEMORY_MB, ASSET_TIMEOUT_SECONDS
from lambda_packaging.targets import handler_architecture

MEMORY_MB: Final = ASSET_MEMORY_MB
TIMEOUT_SECONDS: Final = ASSET_TIMEOUT_SECONDS
EPHEMERAL_STORAGE_MB: Final = 4096
# SQS visibility must outlast the function's timeout; AWS recommends six times it.
VISIBILITY_TIMEOUT_SECONDS: Final = 6 * TIMEOUT_SECONDS
MAX_RECEIVES: Final = 5
# A message that keeps failing is kept two weeks in the dead-letter queue for inspection.
DLQ_RETENTION_SECONDS: Final = 14 * 24 * 3600
BATCH_SIZE: Final = 5
MB: Final = 1024 * 1024


@dataclass(frozen=True)
class AssetPipeline:
    queue: aws.sqs.Queue
    dead_letter_queue: aws.sqs.Queue
    function: CellFunction
    batch: AssetBatch


def _data_statements(ctx: CellContext) -> list[iam.Statement]:
    """What the pipeline's code touches, for the Lambda and the Batch job alike."""
    uploads = ctx.data.buckets.uploads
    assets = ctx.data.buckets.assets
    return [
        iam.allow(
            ["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject"],
            [iam.objects(uploads.arn, storage.UPLOADS_PREFIX)],
            sid="ReadUploads",
        ),
        iam.allow(
            ["s3:PutObject"],
            [iam.objects(uploads.arn, storage.QUARANTINE_PREFIX)],
            sid="QuarantineRejected",
        ),
        iam.allow(
            ["s3:PutObject"],
            [iam.objects(assets.arn, storage.ASSETS_PREFIX)],
            sid="PublishToOwnAssets",
        ),
        iam.allow(
            ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            [ctx.data.tables[tables.CATALOG.logical_name].arn],
            sid="CatalogAssetState",
        ),
        iam.allow(
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [ctx.key_arn],
            sid="BucketKeys",
        ),
    ]


def _environment(ctx: CellContext) -> dict[str, pulumi.Input[str]]:
    return {
        env.CATALOG_TABLE: ctx.data.tables[tables.CATALOG.logical_name].name,
        env.UPLOADS_BUCKET: ctx.data.buckets.uploads.id,
        env.ASSETS_BUCKET: ctx.data.buckets.assets.id,
        env.ASSET_BATCH_THRESHOLD_BYTES: str(ctx.config.asset_batch_threshold_mb * MB),
        env.HOME_REGION: ctx.region,
    }


def asset_pipeline(
    ctx: CellContext, images: RegionImages, lambda_dead_letter_arn: pulumi.Input[str]
) -> AssetPipeline:
    # The asset may run on another architecture than the stack's (see PINNED_ARCHITECTURES).
    architecture = handler_architecture("asset", ctx.config.lambda_architecture)
    artifact = lambda_artifact("asset", architecture)
    data_statements = _data_statements(ctx)
    environment = _environment(ctx)
    batch = asset_batch(
        ctx, artifact.architecture, images.asset_batch, environment, data_statements
    )
    render = render_batch(ctx, batch.hosts, images.render, environment, data_statements)

    dead_letter = aws.sqs.Queue(
        ctx.name("asset-dlq"),
        kms_master_key_id=ctx.key_arn,
        message_retention_seconds=DLQ_RETENTION_SECONDS,
        opts=ctx.opts(),
    )
    queue = aws.sqs.Queue(
        ctx.name("asset-queue"),
        kms_master_key_id=ctx.key_arn,
        visibility_timeout_seconds=VISIBILITY_TIMEOUT_SECONDS,
        redrive_policy=pulumi.Output.json_dumps(
            {"deadLetterTargetArn": dead_letter.arn, "maxReceiveCount": MAX_RECEIVES}
        ),
        opts=ctx.opts(),
    )
    aws.sqs.RedriveAllowPolicy(
        ctx.name("asset-dlq", "redrive-allow"),
        queue_url=dead_letter.id,
        redrive_allow_policy=pulumi.Output.json_dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [queue.arn]}
        ),
        opts=ctx.opts(),
    )
    uploads = ctx.data.buckets.uploads
    queue_policy = aws.sqs.QueuePolicy(
        ctx.name("asset-queue", "policy"),
        queue_url=queue.id,
        policy=iam.document(
            [
                iam.service_may(
                    "s3.amazonaws.com",
                    "sqs:SendMessage",
                    queue.arn,
                    {
                        "ArnEquals": {"aws:SourceArn": uploads.arn},
                        "StringEquals": {"aws:SourceAccount": ctx.data.account_id},
                    },
                    sid="UploadsBucketNotifications",
                )
            ]
        ),
        opts=ctx.opts(),
    )
    aws.s3.BucketNotification(
        ctx.name("uploads", "notification"),
        bucket=uploads.id,
        queues=[
            aws.s3.BucketNotificationQueueArgs(
                queue_arn=queue.arn,
                events=["s3:ObjectCreated:*"],
                filter_prefix=storage.UPLOADS_PREFIX,
            )
        ],
        # S3 sends a test message on creation: the queue must already accept it.
        opts=ctx.opts(depends_on=[queue_policy]),
    )

    function = cell_function(
        ctx,
        FunctionSpec(
            role="asset",
            artifact=artifact,
            description="shop3d asset pipeline: validate, LODs, compress, publish",
            memory_mb=MEMORY_MB,
            timeout_seconds=TIMEOUT_SECONDS,
            ephemeral_storage_mb=EPHEMERAL_STORAGE_MB,
            environment={
                **environment,
                env.IDEMPOTENCY_TABLE: ctx.data.idempotency.name,
                env.ASSET_BATCH_JOB_QUEUE: batch.job_queue.arn,
                env.ASSET_BATCH_JOB_DEFINITION: batch.job_definition.arn,
                env.RENDER_JOB_QUEUE: render.job_queue.arn,
                env.RENDER_JOB_DEFINITION: render.job_definition.arn,
            },
            statements=[
                *data_statements,
                iam.allow(
                    [
                        "dynamodb:GetItem",
                        "dynamodb:PutItem",
                        "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem",
                    ],
                    [ctx.data.idempotency.arn],
                    sid="Idempotency",
                ),
                iam.allow(
                    [
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility",
                    ],
                    [queue.arn],
                    sid="UploadQueue",
                ),
                iam.allow(
                    ["batch:SubmitJob"],
                    [batch.job_queue.arn, batch.job_definition.arn],
                    sid="LargeUploadsToBatch",
                ),
                iam.allow(
                    ["batch:SubmitJob"],
                    [render.job_queue.arn, render.job_definition.arn],
                    sid="PostersToRenderQueue",
                ),
            ],
        ),
        dead_letter_arn=lambda_dead_letter_arn,
        image_uri=images.asset if artifact.package_type == "Image" else None,
    )
    aws.lambda_.EventSourceMapping(
        ctx.name("asset", "queue-mapping"),
        event_source_arn=queue.arn,
        function_name=function.function.arn,
        batch_size=BATCH_SIZE,
        # The handler reports failed records alone; the rest of the batch is deleted.
        function_response_types=["ReportBatchItemFailures"],
        # The cap without a reservation: SQS pollers stop at it instead of being throttled,
        # and the rest of the region's quota stays with the cart API.
        scaling_config=aws.lambda_.EventSourceMappingScalingConfigArgs(
            maximum_concurrency=ctx.config.asset_max_concurrency
        ),
        opts=ctx.opts(),
    )
    return AssetPipeline(
        queue=queue,
        dead_letter_queue=dead_letter,
        function=function,
        batch=batch,
    )
