"""Named limits and LOD settings of the asset service, in one place.

Every limit is checked before heavy work (decoding, simplification); docs/asset-service.md lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from handlers.asset.errors import AssetRejected
from handlers.shared import env
from handlers.shared.limits import MODEL_MAX_BYTES

Compression = Literal["draco", "meshopt", "none"]
LodName = Literal["preview", "standard", "high"]

MIB = 1024 * 1024


@dataclass(frozen=True)
class AssetLimits:
    """What an upload may contain; anything over a limit is rejected with the limit named."""

    max_bytes: int = MODEL_MAX_BYTES
    max_triangles: int = 20_000_000
    max_vertices: int = 30_000_000
    max_textures: int = 32
    max_texture_pixels: int = 8192 * 8192
    max_json_bytes: int = 64 * MIB
    max_nodes: int = 100_000

    def check_counts(self, triangles: int, vertices: int) -> None:
        """Refuse declared (not yet decoded) counts over the limits."""
        if triangles > self.max_triangles:
            raise AssetRejected(
                f"model declares {triangles} triangles; the limit is {self.max_triangles}"
            )
        if vertices > self.max_vertices:
            raise AssetRejected(
                f"model declares {vertices} vertices; the limit is {self.max_vertices}"
            )


@dataclass(frozen=True)
class LodSpec:
    """One level of detail: how far simplification may go and how it is encoded.

    `max_error` bounds the geometric error this LOD may reach, as a fraction of the model's
    largest bounding-box side (the unit of meshoptimizer's relative error and of
    gltf-transform's --simplify-error, so the benchmark's peers get the very same bound);
    `target_ratio` is the triangle share simplification aims for (it stops at whichever of the
    two comes first, so the error bound always holds). `compression` is how its meshes are
    written; the bits are Draco's quantization and, for meshopt, the quantization grid
    (positions over the model's largest side, UVs over one texture repeat).
    """

    name: LodName
    target_ratio: float
    max_error: float
    position_bits: int
    texture_max_px: int | None
    normal_bits: int = 10
    uv_bits: int = 12
    compression: Compression = "draco"


# Position bits: at the standard and high LODs the measured error is mostly Draco's position
# grid (a 14-bit step is 1/8 of the high LOD's whole error bound), so they get 15 bits; the
# preview gets 13 (11 bits cost 10% more error than gltf-transform's output on flat models).
# Draco's slowest, tightest setting (level 10) pays for the extra bits in bytes.
# The preview is meshopt (quantized, KHR_mesh_quantization): it is what the first 3D frame
# waits for, and meshopt's decoder is ~7 KB on the wire against Draco's 76 KB, more than the
# preview's extra geometry bytes (bench/pages, docs/pages.md). The larger LODs, fetched after
# the first frame, stay Draco: in meshopt the helmet's standard LOD was 489 KB against 421 KB,
# igea's high 649 KB against 347 KB, more than the Draco decoder they would spare.
DEFAULT_LODS: tuple[LodSpec, ...] = (
    LodSpec(
        "preview",
        target_ratio=0.02,
        max_error=0.01,
        position_bits=13,
        texture_max_px=256,
        normal_bits=8,
        uv_bits=10,
        compression="meshopt",
    ),
    LodSpec("standard", target_ratio=0.2, max_error=0.002, position_bits=15, texture_max_px=1024),
    LodSpec("high", target_ratio=0.6, max_error=0.0005, position_bits=15, texture_max_px=None),
)


@dataclass(frozen=True)
class PipelineConfig:
    limits: AssetLimits = field(default_factory=AssetLimits)
    lods: tuple[LodSpec, ...] = DEFAULT_LODS
    # None: each LOD's own `LodSpec.compression`; set: every LOD (the CLI's --compression).
    compression: Compression | None = None
    # Draco's tightest level (10) for every primitive up to `draco_fast_above` triangles;
    # bigger ones get level 8: on 2.6M triangles level 10 took 5.2 s to encode and verify
    # against 3.0 s for 9% more bytes, and that encode is the pipeline's critical path.
    draco_level: int = 10
    draco_fast_level: int = 8
    draco_fast_above: int = 1_000_000
    webp_quality: int = 80
    # Attribute weights of meshoptimizer's error: it rescales positions so the largest side is
    # 1, then adds weight x attribute change to the geometric error, and the LOD's error bound
    # applies to the sum. Normals at 0.5 made a 2 degree turn cost 1.7% of the model's size,
    # more than the preview's whole budget: shape was traded for shading, and error-bound LODs
    # stopped early. At 0.05 a ~11 degree turn costs 1%; UVs at 0.25: a shift of 4% of the
    # texture (10 px of the 256 px preview) costs 1%.
    normal_weight: float = 0.05
    uv_weight: float = 0.25
    # What one coordinate of an STL, OBJ or PLY upload means (m, cm, mm, in, ft); None: the
    # format's default (STL millimetres, OBJ and PLY metres; mesh_import.DEFAULT_UNITS).
    # glTF is metres by specification.
    mesh_unit: str | None = None
    # Uploads whose declared work (work.estimate_work) is over this go to AWS Batch: half the
    # asset Lambda's 300 s timeout, so a slow estimate still finishes in time.
    lambda_work_seconds: float = 150.0
    # Vertex colours (COLOR_0, 0..1 per channel): a change of 0.1 in one channel costs 1%.
    color_weight: float = 0.1

    def compression_of(self, spec: LodSpec) -> Compression:
        return self.compression or spec.compression


# Uploads at or above this size go to AWS Batch instead of being processed in the Lambda.
DEFAULT_BATCH_THRESHOLD_BYTES = 200 * MIB


def batch_threshold_bytes() -> int:
    """The size routing rule, from SHOP3D_ASSET_BATCH_THRESHOLD_BYTES (bytes, an integer)."""
    raw = os.environ.get(env.ASSET_BATCH_THRESHOLD_BYTES)
    if raw is None or raw == "":
        return DEFAULT_BATCH_THRESHOLD_BYTES
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"{env.ASSET_BATCH_THRESHOLD_BYTES}={raw!r} is not an integer number of bytes"
        ) from None
    if value < 0:
        raise ValueError(f"{env.ASSET_BATCH_THRESHOLD_BYTES} must be >= 0, got {value}")
    return value
