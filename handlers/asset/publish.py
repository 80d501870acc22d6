"""Publishing LODs to the assets bucket and moving rejected uploads to quarantine.

LOD files go first and manifest.json last under a content-hashed prefix: a crash leaves at
most unreferenced LOD files, never a manifest pointing at missing ones.
"""

from __future__ import annotations

import json
from typing import Any

from handlers.asset.events import UploadRef
from handlers.asset.pipeline import PipelineResult
from handlers.asset.usdz_write import USDZ_CONTENT_TYPE, USDZ_NAME
from handlers.shared import storage
from handlers.shared.cache_control import IMMUTABLE

GLB_TYPE = "model/gltf-binary"


def asset_prefix(sku: str, content_hash: str) -> str:
    return f"{storage.ASSETS_PREFIX}{sku}/{content_hash}/"


def publish(s3: Any, bucket: str, sku: str, result: PipelineResult) -> str:
    """Write every LOD, then the manifest; returns the manifest's key."""
    prefix = asset_prefix(sku, result.content_hash)
    for lod in result.lods:
        s3.put_object(
            Bucket=bucket,
            Key=prefix + lod.file_name,
            Body=lod.data,
            ContentType=GLB_TYPE,
            CacheControl=IMMUTABLE,
        )
    if result.usdz is not None:
        s3.put_object(
            Bucket=bucket,
            Key=prefix + USDZ_NAME,
            Body=result.usdz,
            ContentType=USDZ_CONTENT_TYPE,  # what AR Quick Look needs to open it
            CacheControl=IMMUTABLE,
        )
    manifest_key = prefix + storage.MANIFEST_NAME
    s3.put_object(
        Bucket=bucket,
        Key=manifest_key,
        Body=json.dumps(result.manifest, indent=1).encode(),
        ContentType="application/json",
        CacheControl=IMMUTABLE,
    )
    return manifest_key


def quarantine_key(upload: UploadRef) -> str:
    return storage.QUARANTINE_PREFIX + upload.key[len(storage.UPLOADS_PREFIX) :]


def quarantine(s3: Any, upload: UploadRef, reason: str) -> str:
    """Copy the rejected version under quarantine/ with the reason, then delete it from
    uploads/ (copy first: a crash between the two leaves a copy, never a loss)."""
    target = quarantine_key(upload)
    source: dict[str, str] = {"Bucket": upload.bucket, "Key": upload.key}
    if upload.version_id != "null":
        source["VersionId"] = upload.version_id
    s3.copy_object(
        Bucket=upload.bucket,
        Key=target,
        CopySource=source,
        MetadataDirective="REPLACE",
        Metadata={"rejected-reason": reason[:1024].encode("ascii", "replace").decode()},
    )
    s3.delete_object(Bucket=upload.bucket, Key=upload.key)
    return target
