"""The search projection: `lambda_handler` consumes the catalog table's DynamoDB stream (in the
primary region, where every replica's writes arrive too) and upserts the search rows on the
Aurora writer; Aurora's replication carries them to every region's reader.

Idempotent and ordered per SKU by the catalog item's `version`: an upsert never replaces a
newer version, so a retried or replayed batch changes nothing. A record that fails stops the
batch there (ReportBatchItemFailures), so the stream retries it and everything after it in
order. A malformed item is hidden from search (logged), never retried forever.

Locally, local/search_stream.py polls DynamoDB Local's stream and calls this same handler with
the records it reads (the shape Lambda's event source mapping delivers).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
import psycopg
from boto3.dynamodb.types import TypeDeserializer

from handlers.cart.settings import ConfigError, database_access, region_from_env
from handlers.cart.stores.credentials import CredentialSource, credential_source
from handlers.cart.stores.database import Connections
from handlers.cart.stores.search_store import SearchRow, hide, upsert
from handlers.shared import env
from handlers.shared.catalog import product_from_item

logger = logging.getLogger(__name__)
_deserializer = TypeDeserializer()


def _image(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {name: _deserializer.deserialize(value) for name, value in raw.items()}


def _version(item: Mapping[str, Any]) -> int:
    """The item's version (DynamoDB numbers arrive as Decimal); 0 when it has none."""
    version = item.get("version", 0)
    if isinstance(version, Decimal | int) and version == int(version) and version >= 0:
        return int(version)
    return 0


def _created_at(item: Mapping[str, Any], record_time: datetime) -> datetime:
    text = item.get("created_at")
    if isinstance(text, str):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return record_time
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return record_time


def row_from_item(item: Mapping[str, Any], record_time: datetime) -> SearchRow | None:
    """The search row of a deserialized catalog item, or None when the item is malformed (the
    same rules the catalog reads apply: handlers.shared.catalog.product_from_item)."""
    product = product_from_item(dict(item))
    if product is None:
        return None
    category = item.get("category")
    return SearchRow(
        sku=product.sku,
        version=_version(item),
        visible=product.active,
        name=product.name,
        description=product.description,
        category=category if isinstance(category, str) else "",
        price_minor=product.price_minor,
        currency=product.currency,
        asset_status=product.asset_status,
        manifest_key=product.manifest_key,
        created_at=_created_at(item, record_time),
    )


def apply_record(conn: psycopg.Connection, record: Mapping[str, Any]) -> bool:
    """Project one stream record; True if a row changed (False: an older version, a replay)."""
    change = record["dynamodb"]
    sku = str(_deserializer.deserialize(change["Keys"]["sku"]))
    when = datetime.fromtimestamp(float(change.get("ApproximateCreationDateTime", 0)), UTC)
    new = _image(change.get("NewImage"))
    if record["eventName"] == "REMOVE" or new is None:
        old = _image(change.get("OldImage")) or {}
        return hide(conn, sku, _version(old))
    row = row_from_item(new, when)
    if row is None:
        logger.warning("catalog item %r is malformed; hidden from search", sku)
        return hide(conn, sku, _version(new))
    return upsert(conn, row)


def project(connections: Connections, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Apply `records` in order; the first failure and every record after it are reported
    back to the stream (retried in order)."""
    for position, record in enumerate(records):
        try:
            apply_record(connections.get(), record)
        except Exception:
            logger.exception("projecting %s failed", record.get("eventID"))
            return {
                "batchItemFailures": [
                    {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in records[position:]
                ]
            }
    return {"batchItemFailures": []}


@functools.cache
def _connections() -> Connections:
    region = region_from_env(os.environ)
    access = database_access(os.environ, region)
    if access is None:
        raise ConfigError(
            f"the search projection writes PostgreSQL: set {env.DATABASE_IAM_USER} (AWS) or"
            f" {env.DATABASE_URL}"
        )
    source: CredentialSource = credential_source(
        access,
        lambda: boto3.client("rds", region_name=region),
        lambda: boto3.client("secretsmanager", region_name=region),
    )
    return Connections(source)


def lambda_handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records")
    if not isinstance(records, list):
        raise ValueError("the search projection takes DynamoDB stream batches: {'Records': [...]}")
    return project(_connections(), records)
