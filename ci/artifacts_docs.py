"""The Lambda artifacts table of docs/shipping.md, rendered from lambda_packaging/artifacts.lock.json
and written by `python -m ci build-artifacts` whenever it rewrites that record
(tests/unit/test_project_files.py renders the committed record again and compares)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambda_packaging.record import read_build_record
from offline.doc_blocks import DOCS, GeneratedBlock

BLOCK = GeneratedBlock(DOCS / "shipping.md", "artifacts", "python -m ci build-artifacts")


def _package(entry: Mapping[str, Any]) -> str:
    if entry["package_type"] == "Image":
        return "container image (ECR) from `ci/lambda.Dockerfile`"
    layer = entry.get("layer")
    return f"Zip + layer ({len(layer['packages'])} packages)" if layer else "Zip, no layer"


def _layer_size(entry: Mapping[str, Any]) -> str:
    layer = entry.get("layer")
    if not layer:
        return "-"
    return f"{layer['zipped_bytes'] / 1e6:.1f} MB / {layer['unzipped_bytes'] / 1e6:.1f} MB"


def render(record: Mapping[str, Any] | None = None) -> str:
    record = read_build_record() if record is None else record
    rows = [
        "| handler/arch | package type | layer zipped / unzipped | why |",
        "|---|---|---|---|",
    ]
    rows += [
        f"| {key} | {_package(entry)} | {_layer_size(entry)} | {entry['reason']} |"
        for key, entry in sorted(record.items())
    ]
    return "\n".join(rows)


def write() -> None:
    BLOCK.write(render())
