"""Lambda entry point: SQS batches of S3 upload events, partial batch failures reported.

Clients are made on the first event (reused across invocations) or handed in (use_wiring). Each upload is processed once
per bucket + key + version id (Powertools idempotency on the regional idempotency table);
a failing record is reported back to SQS alone, the others are deleted.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.asset.errors import AssetRejected
from handlers.asset.events import UploadRef, upload_from_record, upload_records
from handlers.asset.service import AssetService, Outcome
from handlers.shared import env, tables

# Outcomes are kept a week: longer than SQS retention (4 days default), so a redelivery
# after any retry is still recognised.
IDEMPOTENCY_SECONDS = 7 * 24 * 3600

logger = Logger(service="asset")
processor = BatchProcessor(event_type=EventType.SQS)


def _submits_jobs() -> bool:
    """Large uploads to the asset queue, or posters to the render queue."""
    return bool(os.environ.get(env.ASSET_BATCH_JOB_QUEUE) or os.environ.get(env.RENDER_JOB_QUEUE))


@dataclass(frozen=True)
class AssetWiring:
    """The handler's collaborators: the service and its once-per-upload wrapper."""

    service: AssetService
    idempotency: IdempotencyConfig
    process_once: Callable[..., dict[str, Any]]

    @classmethod
    def from_env(cls) -> AssetWiring:
        """Clients and tables from the function's environment (made once per container)."""
        service = AssetService.from_env(
            s3=boto3.client("s3"),
            dynamodb=boto3.resource("dynamodb"),
            batch=boto3.client("batch") if _submits_jobs() else None,
        )
        persistence = DynamoDBPersistenceLayer(
            table_name=os.environ[env.IDEMPOTENCY_TABLE],
            key_attr=tables.IDEMPOTENCY.hash_key.name,
            expiry_attr=tables.IDEMPOTENCY.ttl_attribute or "expiration",
        )
        idempotency = IdempotencyConfig(
            event_key_jmespath="[bucket, key, version_id]",
            expires_after_seconds=IDEMPOTENCY_SECONDS,
        )

        def process(upload: dict[str, Any]) -> dict[str, Any]:
            return service.process_upload(UploadRef(**upload)).as_dict()

        # Powertools' decorator is untyped: applied by call so the result keeps a declared type.
        process_once: Callable[..., dict[str, Any]] = idempotent_function(
            process,
            data_keyword_argument="upload",
            persistence_store=persistence,
            config=idempotency,
        )
        return cls(service, idempotency, process_once)


_wiring: AssetWiring | None = None


def use_wiring(wiring: AssetWiring) -> None:
    """Hand the handler its collaborators (tests, the local platform); in Lambda the first
    event builds them from the environment."""
    global _wiring
    _wiring = wiring


def current_wiring() -> AssetWiring:
    if _wiring is None:
        use_wiring(AssetWiring.from_env())
    assert _wiring is not None
    return _wiring


def handle_s3_record(record: dict[str, Any]) -> dict[str, Any]:
    """One S3 event record end to end; refused keys are logged and not retried."""
    try:
        upload = upload_from_record(record)
    except AssetRejected as exc:
        logger.warning("refused S3 event", reason=str(exc))
        return Outcome("REFUSED", str(exc)).as_dict()
    outcome: dict[str, Any] = current_wiring().process_once(upload=asdict(upload))
    logger.info("asset outcome", key=upload.key, **outcome)
    return outcome


def record_handler(record: SQSRecord) -> list[dict[str, Any]]:
    message = json.loads(record.body)
    return [handle_s3_record(r) for r in upload_records(message)]


def process_object(
    bucket: str,
    key: str,
    version_id: str | None = None,
    sequencer: str = "",
    size: int | None = None,
) -> dict[str, Any]:
    """For the local platform: one uploaded object through the same path as an SQS record."""
    obj: dict[str, Any] = {"key": key, "sequencer": sequencer}
    if version_id is not None:
        obj["versionId"] = version_id
    if size is not None:
        obj["size"] = size
    record = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": bucket}, "object": obj}}
    with warnings.catch_warnings():
        # Outside Lambda there is no deadline to register; Powertools warns about exactly that.
        warnings.filterwarnings("ignore", message="Couldn't determine the remaining time left")
        return handle_s3_record(record)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    current_wiring().idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
