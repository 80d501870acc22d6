"""A copy of the assets bucket on disk: moto keeps S3 in memory only, so the local platform
saves published assets here and puts them back into the bucket when it starts again.

Asset keys are content-hashed (assets/<sku>/<hash>/...): an object under a key never changes,
so a key present on both sides is the same object and is not copied again.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Final

from handlers.asset.publish import GLB_TYPE
from handlers.asset.usdz_write import USDZ_CONTENT_TYPE
from handlers.shared.cache_control import IMMUTABLE
from handlers.shared.posters import FORMATS
from handlers.shared.storage import ASSETS_PREFIX

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# The types the asset service and the poster job write each object with (the posters' by
# their format), so a restored object is answered as the published one was.
CONTENT_TYPES: Final = {
    ".glb": GLB_TYPE,
    ".usdz": USDZ_CONTENT_TYPE,
    ".json": "application/json",
    **{f".{extension}": kind for extension, kind in FORMATS.items()},
}


def _bucket_keys(s3: S3Client, bucket: str) -> set[str]:
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=ASSETS_PREFIX):
        keys.update(entry["Key"] for entry in page.get("Contents", []))
    return keys


def _disk_keys(directory: Path) -> set[str]:
    return {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file() and not path.name.endswith(".part")
    }


def save(s3: S3Client, bucket: str, directory: Path) -> int:
    """Copy assets the disk lacks from the bucket; returns how many were copied."""
    missing = _bucket_keys(s3, bucket) - _disk_keys(directory)
    for key in sorted(missing):
        target = directory / key
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")  # never a half-written copy
        partial.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        partial.replace(target)
    return len(missing)


def restore(s3: S3Client, bucket: str, directory: Path) -> int:
    """Put saved assets the bucket lacks back into it; returns how many were put.

    Manifests go last, as the asset service writes them: a manifest never points at LODs the
    bucket does not hold yet.
    """
    missing = sorted(
        _disk_keys(directory) - _bucket_keys(s3, bucket),
        key=lambda key: (PurePosixPath(key).suffix == ".json", key),
    )
    for key in missing:
        suffix = PurePosixPath(key).suffix
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=(directory / key).read_bytes(),
            ContentType=CONTENT_TYPES.get(suffix, "application/octet-stream"),
            CacheControl=IMMUTABLE,
        )
    return len(missing)
