"""Loads the sample catalog: product rows in the catalog table, stock in PostgreSQL, and each
product's model through the real asset path (uploads bucket -> S3 notification -> SQS -> asset
handler -> assets bucket + catalog).

Idempotent: product fields are (re)written without touching the asset state; stock is set
only for SKUs PostgreSQL does not know yet (a rerun keeps what was sold); a model is uploaded
again only when its published asset is missing (content-hashed key: same file, same key).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import psycopg
from botocore.exceptions import ClientError

from handlers.asset.catalog import MANIFEST_KEY, REASON, STATUS
from handlers.asset.publish import asset_prefix
from handlers.cart.stores.database import apply_schema
from handlers.cart.stores.order_store import set_stock, stock
from handlers.shared.posters import same_asset
from handlers.shared.storage import MANIFEST_NAME, UPLOADS_PREFIX
from handlers.shared.tables import CATALOG
from local.catalog_file import SampleCatalog, SampleProduct

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SKU: Final = CATALOG.hash_key.name
POLL_INTERVAL_S: Final = 0.25
Report = Callable[[str], None]


class AssetTimeoutError(RuntimeError):
    """Uploaded models were not processed in time: the message names them."""


@dataclass(frozen=True)
class PendingUpload:
    sku: str
    manifest_key: str  # where this model's manifest will be: its outcome when READY
    prior_status: str | None  # the catalog's asset status before the upload


def upload_key(seller: str, product: SampleProduct) -> str:
    return f"{UPLOADS_PREFIX}{seller}/{product.sku}/{product.model}"


def manifest_key_for(sku: str, model: bytes) -> str:
    """Where the asset service publishes this model's manifest (content hash = sha256)."""
    return asset_prefix(sku, hashlib.sha256(model).hexdigest()) + MANIFEST_NAME


def write_products(table: Any, catalog: SampleCatalog) -> None:
    """Product fields of every sample product; asset_status and friends are left as they are."""
    for product in catalog.products:
        table.update_item(
            Key={SKU: product.sku},
            UpdateExpression="SET #n = :n, description = :d, price_minor = :p, currency = :c,"
            " active = :a, category = :g",
            ExpressionAttributeNames={"#n": "name"},  # a DynamoDB reserved word
            ExpressionAttributeValues={
                ":n": product.name,
                ":d": product.shown_description,
                ":p": product.price_minor,
                ":c": product.currency,
                ":a": True,
                ":g": product.category,
            },
        )


def seed_stock(database_url: str, catalog: SampleCatalog) -> int:
    """Schema applied, stock set for SKUs without any; returns how many SKUs were seeded."""
    seeded = 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_schema(conn)
        for product in catalog.products:
            if stock(conn, product.sku) is None:
                set_stock(conn, product.sku, product.stock)
                seeded += 1
    return seeded


def _published(s3: S3Client, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise
    return True


def upload_missing_models(
    s3: S3Client,
    table: Any,
    buckets: dict[str, str],
    catalog: SampleCatalog,
    models_dir: Path,
) -> list[PendingUpload]:
    """Upload every model whose asset is not READY and published; returns what was uploaded."""
    pending = []
    for product in catalog.products:
        model = (models_dir / product.model).read_bytes()
        wanted = manifest_key_for(product.sku, model)
        item = table.get_item(Key={SKU: product.sku}, ConsistentRead=True).get("Item", {})
        if (
            item.get(STATUS) == "READY"
            and same_asset(item.get(MANIFEST_KEY), wanted)
            and _published(s3, buckets["assets"], wanted)
        ):
            continue
        s3.put_object(
            Bucket=buckets["uploads"], Key=upload_key(catalog.seller, product), Body=model
        )
        pending.append(PendingUpload(product.sku, wanted, item.get(STATUS)))
    return pending


def wait_for_assets(
    table: Any,
    pending: list[PendingUpload],
    report: Report,
    timeout_s: float,
    check_alive: Callable[[], None] = lambda: None,
) -> None:
    """Wait until the asset service recorded an outcome for each upload; report each one."""
    waiting = {upload.sku: upload for upload in pending}
    deadline = time.monotonic() + timeout_s
    while waiting:
        check_alive()
        for sku, upload in list(waiting.items()):
            item = table.get_item(Key={SKU: sku}, ConsistentRead=True).get("Item", {})
            status = item.get(STATUS)
            if status == "READY" and same_asset(item.get(MANIFEST_KEY), upload.manifest_key):
                report(f"{sku}: READY, /{upload.manifest_key}")
            elif status == "REJECTED" and upload.prior_status != "REJECTED":
                report(f"{sku}: REJECTED by the asset service: {item.get(REASON)}")
            else:
                continue
            del waiting[sku]
        if waiting and time.monotonic() > deadline:
            raise AssetTimeoutError(
                f"no asset outcome within {timeout_s:.0f} s for: {', '.join(sorted(waiting))}"
            )
        if waiting:
            time.sleep(POLL_INTERVAL_S)
