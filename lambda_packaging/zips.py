"""Deterministic zips: sorted entries, timestamps fixed at 1980-01-01, modes 0644, no tests,
caches or compiled files. Same sources -> same bytes -> same hash -> no diff."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lambda_packaging.errors import ArtifactError

FIXED_DATE_TIME: Final = (1980, 1, 1, 0, 0, 0)
FILE_MODE: Final = 0o100644  # regular file, rw-r--r--: Lambda only needs read access
# Never shipped: tests, caches, compiled bytecode, type-checker and editor leftovers.
EXCLUDED_DIRS: Final = frozenset(
    {"__pycache__", "tests", "test", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
)
EXCLUDED_SUFFIXES: Final = (".pyc", ".pyo")


@dataclass(frozen=True)
class ZippedTree:
    data: bytes
    unzipped_bytes: int
    entries: int

    @property
    def hexdigest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def b64digest(self) -> str:
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()


def shippable_files(root: Path) -> Iterator[Path]:
    """Files under root worth shipping, skipping tests, caches, bytecode and hidden files."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in EXCLUDED_DIRS and not d.startswith(".")]
        for filename in filenames:
            if filename.startswith(".") or filename.endswith(EXCLUDED_SUFFIXES):
                continue
            if filename.startswith("test_") or filename == "conftest.py":
                continue
            yield Path(dirpath) / filename


def deterministic_zip(entries: Iterable[tuple[str, Path]]) -> ZippedTree:
    """Zip (archive name, file) pairs: sorted, fixed timestamps and modes, no directory entries."""
    buffer = io.BytesIO()
    unzipped = 0
    ordered = sorted(entries, key=lambda entry: entry[0])
    names = [name for name, _ in ordered]
    if len(set(names)) != len(names):
        raise ArtifactError("two files map to the same archive name")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, path in ordered:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.external_attr = FILE_MODE << 16
            info.create_system = 3  # Unix, so the mode bits are honoured
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            unzipped += len(data)
            archive.writestr(info, data)
    return ZippedTree(data=buffer.getvalue(), unzipped_bytes=unzipped, entries=len(ordered))


def write_once(path: Path, zipped: ZippedTree) -> Path:
    """Content-addressed write: an existing file of the same name already holds these bytes."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(zipped.data)
        partial.replace(path)  # atomic: concurrent test workers never see half a zip
    return path
