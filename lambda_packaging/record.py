"""The record of the dependency build (lambda_packaging/artifacts.lock.json, committed like a
lock file): what `python -m ci build-artifacts` produced for each (handler, architecture) and
for which slice of uv.lock. The program only reads it, so nothing is built at program time."""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from lambda_packaging.errors import ArtifactError
from lambda_packaging.lock_closure import lock_digest
from lambda_packaging.targets import Architecture, Handler

BUILD_RECORD: Final = Path(__file__).resolve().with_name("artifacts.lock.json")
BUILD_COMMAND: Final = "python -m ci build-artifacts"


class StaleBuildRecord(UserWarning):
    """uv.lock changed since the dependency build was recorded (tolerated under mocks only)."""


def record_key(handler: Handler, architecture: Architecture) -> str:
    return f"{handler}/{architecture}"


def read_build_record(path: Path | None = None) -> dict[str, Any]:
    path = BUILD_RECORD if path is None else path
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def write_build_record(record: Mapping[str, Any], path: Path | None = None) -> None:
    """Rewritten whole, keys sorted, so it diffs cleanly."""
    path = BUILD_RECORD if path is None else path
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def current_record(
    handler: Handler, architecture: Architecture, *, tolerate_stale: bool = False
) -> Mapping[str, Any]:
    """The build record of (handler, architecture), checked against today's uv.lock. A stale
    record is an error, or only a StaleBuildRecord warning when `tolerate_stale` (the
    program's unit tests need the record's shape only; test_the_build_record_is_current fails
    instead of every program run)."""
    key = record_key(handler, architecture)
    record = read_build_record().get(key)
    if record is None:
        raise ArtifactError(
            f"no dependency build recorded for {key} in {BUILD_RECORD.name}: "
            f"run `{BUILD_COMMAND} --handler {handler} --arch {architecture}`"
        )
    if record.get("lock_digest") != lock_digest(handler):
        stale = (
            f"the {handler} dependency group changed in uv.lock since {key} was built: "
            f"run `{BUILD_COMMAND} --handler {handler} --arch {architecture}`"
        )
        if not tolerate_stale:
            raise ArtifactError(stale)
        warnings.warn(stale, StaleBuildRecord, stacklevel=3)
    return dict(record)
