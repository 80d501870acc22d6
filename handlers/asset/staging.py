"""Uploads staged on local disk, hashed as they are written or read, in fixed-size chunks.

The pipeline imports from a file (memory-mapped for glTF), so the upload's bytes never sit in
memory next to the mesh arrays built from them. In the Lambda the file lands in /tmp
(ephemeral storage); in the Batch job, on the container's disk.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

CHUNK_BYTES = 1024 * 1024


def copy_hashing(chunks: Iterable[bytes], target: BinaryIO) -> str:
    """Write every chunk to `target`; the sha256 hex digest of what was written."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest()


def download(s3: Any, object_args: dict[str, str], path: Path) -> str:
    """Stream an S3 object to `path` (never whole in memory); its sha256 hex digest."""
    body = s3.get_object(**object_args)["Body"]
    with path.open("wb") as target:
        return copy_hashing(body.iter_chunks(CHUNK_BYTES), target)


@contextmanager
def staged(s3: Any, object_args: dict[str, str]) -> Iterator[tuple[Path, str]]:
    """An S3 object as a scratch file and its sha256, deleted on exit."""
    with tempfile.TemporaryDirectory(prefix="asset-") as scratch:
        path = Path(scratch) / "upload"
        yield path, download(s3, object_args, path)


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
