"""One model end to end, without any AWS: bytes in, LOD GLBs and a manifest out.

Shared by the Lambda, the Batch job, the CLI and the local platform (via service.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from handlers.asset.config import PipelineConfig
from handlers.asset.errors import AssetRejected
from handlers.asset.glb_write import build_glb
from handlers.asset.gltf_import import import_gltf
from handlers.asset.mesh_import import MESH_FORMATS, import_mesh
from handlers.asset.scene import Scene
from handlers.asset.simplify import build_lods

GLTF_FORMATS = ("glb", "gltf")
SUPPORTED_SUFFIXES = GLTF_FORMATS + MESH_FORMATS
MANIFEST_VERSION = 1
Progress = Callable[[str, float], None]


@dataclass
class LodOutput:
    name: str
    file_name: str
    data: bytes
    manifest_entry: dict[str, Any]


@dataclass
class PipelineResult:
    content_hash: str
    lods: list[LodOutput]
    manifest: dict[str, Any]


def file_type_of(file_name: str) -> str:
    suffix = PurePosixPath(file_name).suffix.lower().lstrip(".")
    if suffix not in SUPPORTED_SUFFIXES:
        raise AssetRejected(
            f"file type {suffix or '(none)'!r} of {file_name!r} is not supported; "
            f"allowed: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    return suffix


def import_model(
    data: bytes, file_name: str, config: PipelineConfig, base_dir: Path | None = None
) -> Scene:
    """Validate and import; every failure is an AssetRejected with the reason."""
    limits = config.limits
    if len(data) > limits.max_bytes:
        raise AssetRejected(f"upload is {len(data)} bytes; the limit is {limits.max_bytes} bytes")
    file_type = file_type_of(file_name)
    if file_type in GLTF_FORMATS:
        scene = import_gltf(data, limits, base_dir, binary=file_type == "glb")
    else:
        scene = import_mesh(data, file_type, limits)
    if scene.triangle_count == 0:
        raise AssetRejected("model has no triangles to display")
    if scene.triangle_count > limits.max_triangles:
        raise AssetRejected(
            f"model has {scene.triangle_count} triangles; the limit is {limits.max_triangles}"
        )
    return scene


def process_model(
    data: bytes,
    file_name: str,
    sku: str,
    config: PipelineConfig,
    progress: Progress | None = None,
    base_dir: Path | None = None,
) -> PipelineResult:
    report = progress or (lambda _stage, _fraction: None)
    content_hash = hashlib.sha256(data).hexdigest()
    report("validate and import", 0.0)
    scene = import_model(data, file_name, config, base_dir)
    lo, hi = scene.bbox()
    source_triangles = scene.triangle_count
    report("simplify", 0.2)
    lods = build_lods(scene, config)
    del scene  # the high LOD's scene is all that is kept from here on
    outputs = []
    for i, lod in enumerate(lods):
        report(f"encode {lod.spec.name}", 0.4 + 0.6 * i / len(lods))
        built = build_glb(lod.scene, lod.spec, config)
        entry = {
            "name": lod.spec.name,
            "url": f"{lod.spec.name}.glb",
            "bytes": len(built.data),
            "triangles": built.triangles,
            "error": round(lod.error, 7),
            "texture_max_px": lod.spec.texture_max_px,
            "compression": built.compression,
        }
        outputs.append(LodOutput(lod.spec.name, f"{lod.spec.name}.glb", built.data, entry))
    report("done", 1.0)
    manifest = {
        "version": MANIFEST_VERSION,
        "sku": sku,
        "content_hash": content_hash,
        "bbox": {"min": [float(v) for v in lo], "max": [float(v) for v in hi]},
        "source": {
            "file": PurePosixPath(file_name).name,
            "bytes": len(data),
            "triangles": source_triangles,
        },
        "lods": [o.manifest_entry for o in outputs],
    }
    return PipelineResult(content_hash, outputs, manifest)
