"""Decoding EXT_meshopt_compression bufferViews with the meshoptimizer C library.

The output size is `count * byteStride` from the JSON, checked against the limits before this
runs, so compressed data cannot expand past what was declared.
"""

from __future__ import annotations

from typing import Any

import meshoptimizer
import numpy as np

from handlers.asset import gltf_fields as f
from handlers.asset.errors import AssetRejected

# Output bytes one meshopt view may declare; larger declared views are refused before decoding.
MAX_DECODED_VIEW_BYTES = 2 * 1024 * 1024 * 1024
FILTERS = {
    "OCTAHEDRAL": meshoptimizer.decode_filter_oct,
    "QUATERNION": meshoptimizer.decode_filter_quat,
    "EXPONENTIAL": meshoptimizer.decode_filter_exp,
}


def decode_meshopt_view(compressed: bytes, ext: dict[str, Any], what: str) -> bytes:
    count = f.natural(ext.get("count"), f"{what}.count")
    stride = f.natural(ext.get("byteStride"), f"{what}.byteStride")
    mode = ext.get("mode")
    filt = ext.get("filter", "NONE")
    if count * stride > MAX_DECODED_VIEW_BYTES:
        raise AssetRejected(f"{what} declares {count * stride} decoded bytes, over the limit")
    try:
        if mode == "ATTRIBUTES":
            if stride == 0 or stride % 4 or stride > 256:
                raise AssetRejected(f"{what}.byteStride {stride}: must be a multiple of 4 <= 256")
            decoded = meshoptimizer.decode_vertex_buffer(
                count, stride, compressed, dtype=np.dtype((np.void, stride))
            )
            out = np.frombuffer(decoded.tobytes(), dtype=np.uint8)
        elif mode in ("TRIANGLES", "INDICES"):
            if stride not in (2, 4):
                raise AssetRejected(f"{what}.byteStride {stride}: index views use 2 or 4")
            decode = (
                meshoptimizer.decode_index_buffer
                if mode == "TRIANGLES"
                else meshoptimizer.decode_index_sequence
            )
            words = decode(count, stride, compressed)
            out = words.view(np.uint8)[: count * stride]
        else:
            raise AssetRejected(f"{what}.mode {mode!r}: expected ATTRIBUTES, TRIANGLES or INDICES")
    except (RuntimeError, ValueError) as exc:
        if isinstance(exc, AssetRejected):
            raise
        raise AssetRejected(f"{what} could not be decoded: {exc}") from None
    if filt == "NONE":
        return out.tobytes()
    if filt not in FILTERS:
        raise AssetRejected(
            f"{what}.filter {filt!r}: expected NONE, OCTAHEDRAL, QUATERNION or EXPONENTIAL"
        )
    filtered = FILTERS[filt](out.copy(), count, stride)
    return bytes(np.asarray(filtered).view(np.uint8).tobytes())
