"""Quantized vertex streams for meshopt LODs (KHR_mesh_quantization), as gltfpack writes them.

- Positions: int16 normalized on one grid for the whole model (every part on the same grid, so
  parts that touch still touch), `position_bits` over the model's largest side; the mesh's
  node carries the uniform scale and translation that turn the grid back into metres.
- Normals: meshopt's octahedral filter at `normal_bits` (at most 8), int8 normalized, 4 bytes.
- UVs: uint16 normalized on a 2^-`uv_bits` grid where they fit one texture repeat; shifted by
  whole repeats first when every sampler repeats (the same texels); else left float.
- Vertex colours stay float (rare, and glTF's 8/16-bit colours need 4-byte padding anyway).

Each stream keeps the error of its grid: half a step (`max_position_error` is the bound the
tests hold the written positions to).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

SHORT, UNSIGNED_SHORT, BYTE = 5122, 5123, 5120
INT16_MAX: Final = 32767
UINT16_MAX: Final = 65535
REPEAT, MIRRORED_REPEAT = 10497, 33648


@dataclass(frozen=True)
class PositionGrid:
    """World position = translation + scale * (int16 value / 32767) (the node transform)."""

    center: NDArray[np.float64]
    scale: float  # metres per normalized unit
    levels: int  # the largest integer value used: 2^(bits-1) - 1

    @classmethod
    def of(cls, lo: NDArray[Any], hi: NDArray[Any], bits: int) -> PositionGrid:
        if not 2 <= bits <= 16:
            raise ValueError(f"position bits must be 2-16, got {bits}")
        lo64, hi64 = np.asarray(lo, np.float64), np.asarray(hi, np.float64)
        half = float((hi64 - lo64).max()) / 2 or 1.0  # a point model still gets a grid
        levels = (1 << (bits - 1)) - 1
        # Integers up to `levels` stored as int16 normalized read back as value / 32767: the
        # node scale puts the factor back, so the stored integers stay small (cheaper deltas).
        return cls((lo64 + hi64) / 2, half * INT16_MAX / levels, levels)

    @property
    def step(self) -> float:
        """Metres between neighbouring grid values."""
        return self.scale / INT16_MAX

    @property
    def max_position_error(self) -> float:
        """The furthest a written coordinate is from the source's: half a step."""
        return self.step / 2

    def quantize(self, positions: NDArray[np.float32]) -> NDArray[np.int16]:
        """(n, 4) int16: x, y, z on the grid and a zero pad (meshopt needs 4-byte strides)."""
        q = np.rint((positions.astype(np.float64) - self.center) / self.step)
        out = np.zeros((positions.shape[0], 4), dtype=np.int16)
        out[:, :3] = np.clip(q, -self.levels, self.levels)
        return out

    def node_transform(self) -> dict[str, list[float]]:
        return {
            "translation": [float(v) for v in self.center],
            "scale": [self.scale] * 3,
        }


def octahedral_normals(normals: NDArray[np.float32], bits: int) -> NDArray[np.int8]:
    """(n, 4) int8 in meshopt's OCTAHEDRAL filter layout (the decoder's output is the unit
    normal as int8 normalized x, y, z)."""
    import almeshopt

    if not 2 <= bits <= 8:
        raise ValueError(f"octahedral normal bits must be 2-8 for 4-byte normals, got {bits}")
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    unit = np.where(length > 0, normals / np.where(length > 0, length, 1), [[0, 0, 1]])
    encoded = almeshopt.encode_filter_oct(np.ascontiguousarray(unit, dtype=np.float32), bits)
    return np.asarray(encoded).view(np.int8).reshape(-1, 4)


@dataclass(frozen=True)
class QuantizedUvs:
    values: NDArray[Any]  # (n, 2) uint16 or int16
    component_type: int
    shift: tuple[float, float]  # whole repeats subtracted before quantizing


def whole_repeat_shifts_allowed(
    samplers: list[dict[str, Any]], textures: list[dict[str, Any]]
) -> bool:
    """Whether moving UVs by whole texture repeats shows the same texels: every texture's
    sampler repeats on both axes (glTF's default; mirrored repeat only by even shifts, which
    this does not try)."""
    for texture in textures:
        sampler = texture.get("sampler")
        spec = samplers[sampler] if isinstance(sampler, int) and sampler < len(samplers) else {}
        if spec.get("wrapS", REPEAT) != REPEAT or spec.get("wrapT", REPEAT) != REPEAT:
            return False
    return True


def quantize_uvs(uvs: NDArray[np.float32], bits: int, may_shift: bool) -> QuantizedUvs | None:
    """UVs on a 2^-bits grid in uint16 normalized when they fit [0, 1] (after whole-repeat
    shifts, when allowed); None when they do not fit (they stay float)."""
    if not 1 <= bits <= 16 or uvs.shape[0] == 0:
        return None
    uv = uvs.astype(np.float64)
    shift = np.floor(uv.min(axis=0)) if may_shift else np.zeros(2)
    moved = uv - shift
    if moved.min() < 0 or moved.max() > 1:
        return None
    unit = float(1 << (16 - bits))  # uint16 values per grid step
    q = np.clip(np.rint(moved * UINT16_MAX / unit) * unit, 0, UINT16_MAX).astype(np.uint16)
    return QuantizedUvs(q, UNSIGNED_SHORT, (float(shift[0]), float(shift[1])))
