"""Ours against gltf-transform at matched *measured* error, not at equal nominal settings.

Equal settings favour whichever tool simplifies less (lower error, more bytes). Here the peer's
`--simplify-ratio` is bisected, with its error bound lifted, until the mean two-way surface
error it measures is within `TOLERANCE` of ours; then bytes are compared at that error. When
even the peer's unsimplified output is less exact than ours (its Draco grid alone), that is
printed instead of a ratio.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from handlers.asset.config import LodSpec

TOLERANCE = 0.05  # the matched errors differ by at most 5%
MAX_STEPS = 9
RATIO_RANGE = (0.0005, 1.0)


@dataclass(frozen=True)
class Matched:
    ratio: float  # the peer's --simplify-ratio that matched
    error: float  # its measured mean error, % of the bbox diagonal
    bytes: int
    matched: bool  # False: the closest the bisection reached (printed as such)


def bisect_peer(
    target_error: float,
    encode: Callable[[float, Path], None],
    measure: Callable[[Path], float],
    out_dir: Path,
    spec: LodSpec,
) -> Matched:
    """The peer's output whose measured error is closest to `target_error` (geometric
    bisection on the triangle ratio: more triangles, less error)."""
    lo, hi = RATIO_RANGE
    best: Matched | None = None
    for step in range(MAX_STEPS):
        ratio = math.sqrt(lo * hi) if step else hi
        path = out_dir / f"matched-{spec.name}-{step}.glb"
        encode(ratio, path)
        error = measure(path)
        found = Matched(
            ratio, error, path.stat().st_size, abs(error - target_error) <= TOLERANCE * target_error
        )
        if best is None or abs(found.error - target_error) < abs(best.error - target_error):
            best = found
        if found.matched:
            return found
        if step == 0 and error > target_error:
            return best  # unsimplified and still less exact: no ratio can match
        if error > target_error:
            lo = ratio
        else:
            hi = ratio
    assert best is not None
    return best
