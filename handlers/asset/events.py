"""S3 event records -> the upload they announce, with the key rules of the uploads bucket."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from handlers.asset.errors import AssetRejected
from handlers.shared import storage

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SEQUENCER_WIDTH = 64


@dataclass(frozen=True)
class UploadRef:
    """One uploaded object version and where it says it belongs."""

    bucket: str
    key: str
    version_id: str
    seller: str
    sku: str
    file_name: str
    sequencer: str  # zero-padded so that string order is event order (per key)
    size: int | None = None

    @property
    def idempotency_key(self) -> dict[str, str]:
        return {"bucket": self.bucket, "key": self.key, "version_id": self.version_id}


def parse_upload_key(key: str) -> tuple[str, str, str]:
    """(seller, sku, file name) of `uploads/<seller>/<sku>/<file name>`; anything else refused."""
    if not key.startswith(storage.UPLOADS_PREFIX):
        raise AssetRejected(
            f"key {key!r} is outside {storage.UPLOADS_PREFIX}<seller>/: only uploads are processed"
        )
    parts = key[len(storage.UPLOADS_PREFIX) :].split("/")
    if len(parts) != 3 or not all(parts) or any(p in (".", "..") for p in parts):
        raise AssetRejected(
            f"key {key!r} must be {storage.UPLOADS_PREFIX}<seller>/<sku>/<file name>"
        )
    seller, sku, file_name = parts
    if not SKU_PATTERN.match(sku):
        raise AssetRejected(
            f"SKU {sku!r} in key {key!r} is not allowed: use 1-64 letters, digits, '.', '_', '-'"
        )
    return seller, sku, file_name


def pad_sequencer(sequencer: str) -> str:
    # AWS: compare sequencers of one key after left-padding the shorter with zeros.
    return sequencer.upper().rjust(SEQUENCER_WIDTH, "0")


def upload_from_record(record: dict[str, Any]) -> UploadRef:
    """An UploadRef from one S3 event record (`Records[]` of the notification)."""
    s3 = record.get("s3", {})
    bucket = s3.get("bucket", {}).get("name", "")
    obj = s3.get("object", {})
    key = unquote_plus(obj.get("key", ""))  # S3 sends keys URL-encoded, spaces as '+'
    seller, sku, file_name = parse_upload_key(key)
    version_id = obj.get("versionId") or "null"
    size = obj.get("size")
    return UploadRef(
        bucket=bucket,
        key=key,
        version_id=version_id,
        seller=seller,
        sku=sku,
        file_name=file_name,
        sequencer=pad_sequencer(obj.get("sequencer", "")),
        size=int(size) if size is not None else None,
    )


def upload_records(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The object-created records of an S3 notification (the s3:TestEvent has none)."""
    records = message.get("Records", [])
    return [r for r in records if str(r.get("eventName", "")).startswith("ObjectCreated")]
