"""Named limits and LOD settings of the asset service, in one place.

Every limit is checked before heavy work (decoding, simplification); the README lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from handlers.asset.errors import AssetRejected
from handlers.shared import env

Compression = Literal["draco", "meshopt", "none"]
LodName = Literal["preview", "standard", "high"]

MIB = 1024 * 1024


@dataclass(frozen=True)
class AssetLimits:
    """What an upload may contain; anything over a limit is rejected with the limit named."""

    max_bytes: int = 1024 * MIB
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

    `max_error` bounds the geometric error (fraction of the bbox diagonal) this LOD may add;
    `target_ratio` is the triangle share simplification aims for (it stops at whichever of the
    two comes first, so the error bound always holds).
    """

    name: LodName
    target_ratio: float
    max_error: float
    position_bits: int
    texture_max_px: int | None
    normal_bits: int = 10
    uv_bits: int = 12


DEFAULT_LODS: tuple[LodSpec, ...] = (
    LodSpec(
        "preview",
        target_ratio=0.02,
        max_error=0.01,
        position_bits=11,
        texture_max_px=256,
        normal_bits=8,
        uv_bits=10,
    ),
    LodSpec("standard", target_ratio=0.2, max_error=0.002, position_bits=14, texture_max_px=1024),
    LodSpec("high", target_ratio=0.6, max_error=0.0005, position_bits=14, texture_max_px=None),
)


@dataclass(frozen=True)
class PipelineConfig:
    limits: AssetLimits = field(default_factory=AssetLimits)
    lods: tuple[LodSpec, ...] = DEFAULT_LODS
    compression: Compression = "draco"
    draco_level: int = 7
    webp_quality: int = 80
    # Normals and UVs pull on the simplifier's error metric (meshopt attribute weights).
    normal_weight: float = 0.5
    uv_weight: float = 1.0


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
