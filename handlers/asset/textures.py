"""Textures: size checks from the image header, and WebP encoding per LOD through Pillow.

Colour spaces are kept: pixel values are never converted (a normal map stays linear, a base
colour map stays sRGB) and an embedded ICC profile is copied to the WebP.
"""

from __future__ import annotations

import io
import warnings
from functools import lru_cache

from PIL import Image

from handlers.asset.config import AssetLimits
from handlers.asset.errors import AssetRejected


def check_image_size(data: bytes, limits: AssetLimits, what: str) -> None:
    """Read only the header: refuse an image whose pixel count is over the limit."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
    except (OSError, Image.DecompressionBombError, ValueError) as exc:
        raise AssetRejected(f"{what} is not a readable image ({exc})") from None
    if width * height > limits.max_texture_pixels:
        raise AssetRejected(
            f"{what} is {width}x{height} pixels; the limit is {limits.max_texture_pixels} pixels"
        )


@lru_cache(maxsize=8)
def _decoded(data: bytes) -> Image.Image:
    # Decoded once and shared by the three LODs (cache keyed on the source bytes).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        img = Image.open(io.BytesIO(data))
        img.load()
    return img


def encode_webp(data: bytes, max_px: int | None, quality: int) -> tuple[bytes, int, int]:
    """WebP bytes of `data` with its longer side at most `max_px`; returns (bytes, w, h)."""
    try:
        source = _decoded(data)
    except (OSError, ValueError, Image.DecompressionBombWarning) as exc:
        raise AssetRejected(f"a texture could not be decoded ({exc})") from None
    icc = source.info.get("icc_profile")
    img = source
    if img.mode not in ("RGB", "RGBA"):
        has_alpha = img.mode in ("LA", "PA") or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "RGB")
    if max_px is not None and max(img.size) > max_px:
        scale = max_px / max(img.size)
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="WEBP", quality=quality, method=4, icc_profile=icc)
    return out.getvalue(), img.width, img.height
