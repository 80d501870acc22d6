"""One uploaded object end to end against S3 and the catalog: the code path shared by the
SQS Lambda, the Batch job and the local platform."""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from handlers.asset.catalog import Catalog
from handlers.asset.config import PipelineConfig, batch_threshold_bytes
from handlers.asset.errors import AssetRejected
from handlers.asset.events import UploadRef
from handlers.asset.pipeline import PipelineResult, check_size, process_file
from handlers.asset.publish import publish, quarantine
from handlers.asset.staging import staged
from handlers.asset.work import estimate_work
from handlers.shared import env

logger = logging.getLogger(__name__)
UNIT_METADATA = "unit"
# The render job's command (handlers/asset/posters/__main__.py); the sku and manifest key follow.
RENDER_COMMAND = ("python", "-m", "handlers.asset.posters")
OutcomeStatus = Literal["READY", "REJECTED", "SKIPPED", "BATCH", "REFUSED"]


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    detail: str
    manifest_key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AssetService:
    s3: Any  # boto3 S3 client
    catalog: Catalog
    assets_bucket: str
    config: PipelineConfig
    batch: Any = None  # boto3 Batch client; None means every upload is processed here
    batch_queue: str | None = None
    batch_definition: str | None = None
    render_queue: str | None = None  # posters: submitted after each publish when set
    render_definition: str | None = None

    @classmethod
    def from_env(
        cls, s3: Any, dynamodb: Any, batch: Any = None, config: PipelineConfig | None = None
    ) -> AssetService:
        return cls(
            s3=s3,
            catalog=Catalog(dynamodb.Table(os.environ[env.CATALOG_TABLE])),
            assets_bucket=os.environ[env.ASSETS_BUCKET],
            config=config or PipelineConfig(),
            batch=batch,
            batch_queue=os.environ.get(env.ASSET_BATCH_JOB_QUEUE) or None,
            batch_definition=os.environ.get(env.ASSET_BATCH_JOB_DEFINITION) or None,
            render_queue=os.environ.get(env.RENDER_JOB_QUEUE) or None,
            render_definition=os.environ.get(env.RENDER_JOB_DEFINITION) or None,
        )

    def process_upload(self, upload: UploadRef, *, allow_batch: bool = True) -> Outcome:
        skip = self.catalog.already_handled(upload)
        if skip:
            return Outcome("SKIPPED", skip)
        head = self.s3.head_object(**self._object_args(upload))
        if head.get("ReplicationStatus") == "REPLICA":
            return Outcome("SKIPPED", "replica: processed in the region it was uploaded to")
        size = int(head["ContentLength"])
        if not self.catalog.set_status(upload, "PENDING"):
            return Outcome("SKIPPED", "stale: a newer upload of this product was recorded")
        if allow_batch and self._routes_to_batch(size):
            return self._submit_batch(upload, f"{size} bytes")
        try:
            check_size(size, self.config.limits.max_bytes)  # before downloading anything
            # The seller's unit of an STL/OBJ/PLY upload: S3 metadata x-amz-meta-unit.
            unit = head.get("Metadata", {}).get(UNIT_METADATA)
            result = self._process(upload, unit, allow_batch=allow_batch)
        except AssetRejected as exc:
            return self._reject(upload, str(exc))
        if isinstance(result, Outcome):
            return result
        manifest_key = publish(self.s3, self.assets_bucket, upload.sku, result)
        if not self.catalog.set_status(upload, "READY", manifest_key=manifest_key):
            return Outcome("SKIPPED", "stale: a newer upload finished first", manifest_key)
        logger.info("published %s", manifest_key)
        return Outcome(
            "READY",
            f"published {len(result.lods)} LODs{self._submit_render(upload.sku, manifest_key)}",
            manifest_key,
        )

    def _process(
        self, upload: UploadRef, unit: str | None, *, allow_batch: bool
    ) -> PipelineResult | Outcome:
        """Download to a scratch file (hashed as it streams), process it, delete it; a model
        whose declared work is over the Lambda's budget is handed to Batch instead."""
        config = replace(self.config, mesh_unit=unit or self.config.mesh_unit)
        with staged(self.s3, self._object_args(upload)) as (path, digest):
            if allow_batch and self._batch_configured():
                work = estimate_work(path, upload.file_name, self.config)
                if work.seconds > self.config.lambda_work_seconds:
                    return self._submit_batch(upload, work.describe())
            return process_file(
                path,
                upload.sku,
                config,
                file_name=upload.file_name,
                content_hash=digest,
                product_dimensions=self.catalog.dimensions(upload.sku),
            )

    def _reject(self, upload: UploadRef, reason: str) -> Outcome:
        logger.warning("rejected %s: %s", upload.key, reason)
        target = quarantine(self.s3, upload, reason)
        self.catalog.set_status(upload, "REJECTED", reason=reason)
        return Outcome("REJECTED", f"{reason} (moved to {target})")

    def _batch_configured(self) -> bool:
        return bool(self.batch is not None and self.batch_queue and self.batch_definition)

    def _routes_to_batch(self, size: int) -> bool:
        """Files too big to download into the Lambda go to Batch unread; smaller ones are
        routed by their declared work once downloaded (see `_process`)."""
        return self._batch_configured() and size >= batch_threshold_bytes()

    def _submit_render(self, sku: str, manifest_key: str) -> str:
        """Queue the posters of a product just published; a failed submission is logged and
        leaves it READY without posters (the local platform and a re-upload render again)."""
        if self.batch is None or not (self.render_queue and self.render_definition):
            return ""
        try:
            job = self.batch.submit_job(
                jobName=f"poster-{sku}"[:128],
                jobQueue=self.render_queue,
                jobDefinition=self.render_definition,
                containerOverrides={"command": [*RENDER_COMMAND, sku, manifest_key]},
            )
        except (BotoCoreError, ClientError) as exc:
            logger.warning("poster job for %s not submitted: %s", sku, exc)
            return "; poster job not submitted"
        return f"; poster job {job['jobId']}"

    def _submit_batch(self, upload: UploadRef, why: str) -> Outcome:
        uri = f"s3://{upload.bucket}/{upload.key}"
        job = self.batch.submit_job(
            jobName=f"asset-{upload.sku}"[:128],
            jobQueue=self.batch_queue,
            jobDefinition=self.batch_definition,
            containerOverrides={
                "command": [
                    "python",
                    "-m",
                    "handlers.asset",
                    "--publish",
                    uri,
                    "--version-id",
                    upload.version_id,
                    "--sequencer",
                    upload.sequencer,
                ]
            },
        )
        return Outcome("BATCH", f"{why}: submitted Batch job {job['jobId']}")

    @staticmethod
    def _object_args(upload: UploadRef) -> dict[str, str]:
        args = {"Bucket": upload.bucket, "Key": upload.key}
        if upload.version_id != "null":
            args["VersionId"] = upload.version_id
        return args
