"""Textures: size checks from the image header, and WebP encoding per LOD through Pillow.

Colour spaces are kept: pixel values are never converted (a normal map stays linear, a base
colour map stays sRGB) and an embedded ICC profile is copied to the WebP.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

import numpy as np
from PIL import Image

from handlers.asset.config import AssetLimits
from handlers.asset.errors import AssetRejected

# libwebp's slowest method (6) on the small textures, the ones a first frame waits for: 4.5%
# smaller than method 4 on the helmet's 256 px preview textures at the same quality, and at
# that size it costs milliseconds. Larger textures keep method 4 (the pipeline's time).
SMALL_TEXTURE_PX = 512
SMALL_METHOD = 6
LARGE_METHOD = 4


def image_size(data: bytes, what: str) -> tuple[int, int]:
    """Width and height from the image's header (nothing decoded)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
    except (OSError, Image.DecompressionBombError, ValueError) as exc:
        raise AssetRejected(f"{what} is not a readable image ({exc})") from None
    return width, height


def image_pixels(data: bytes, what: str) -> int:
    width, height = image_size(data, what)
    return width * height


def check_image_size(data: bytes, limits: AssetLimits, what: str) -> None:
    """Read only the header: refuse an image whose pixel count is over the limit."""
    width, height = image_size(data, what)
    if width * height > limits.max_texture_pixels:
        raise AssetRejected(
            f"{what} is {width}x{height} pixels; the limit is {limits.max_texture_pixels} pixels"
        )


def _decoded(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        img = Image.open(io.BytesIO(data))
        img.load()
    return img


# Pillow's modes for 16-bit greyscale PNGs; convert("RGB") clips their 0..65535 values at 255,
# which turns a roughness or metalness map white.
WIDE_GREY_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def eight_bit_grey(img: Image.Image) -> Image.Image:
    """A 16-bit greyscale image as 8-bit "L", 0..65535 mapped onto 0..255 (divide by 257, round)."""
    wide = np.asarray(img, dtype=np.uint32)
    if img.mode == "I":  # 32-bit signed storage: PNG puts 16-bit samples here
        wide = np.clip(np.asarray(img, dtype=np.int64), 0, 65535).astype(np.uint32)
    narrow = ((wide + 128) // 257).astype(np.uint8)
    return Image.fromarray(narrow, mode="L")


def _fitted(img: Image.Image, max_px: int | None) -> Image.Image:
    if max_px is None or max(img.size) <= max_px:
        return img
    scale = max_px / max(img.size)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.LANCZOS)


def encode_webp_sizes(data: bytes, max_sizes: Sequence[int | None], quality: int) -> list[bytes]:
    """One WebP of `data` per entry of `max_sizes` (longer side at most that, None: as
    uploaded). The image is decoded once and released on return, so a model's textures pass
    through memory one at a time (an 8192 x 8192 RGBA texture decodes to 256 MB). Sizes the
    image already fits share one encode."""
    try:
        img = _decoded(data)
    except (OSError, ValueError, Image.DecompressionBombWarning) as exc:
        raise AssetRejected(f"a texture could not be decoded ({exc})") from None
    icc = img.info.get("icc_profile")
    if img.mode in WIDE_GREY_MODES:
        img = eight_bit_grey(img)
    if img.mode not in ("RGB", "RGBA"):
        has_alpha = img.mode in ("LA", "PA") or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "RGB")  # the decoded original goes now
    encoded: dict[tuple[int, int], bytes] = {}
    out = []
    for max_px in max_sizes:
        fitted = _fitted(img, max_px)
        if fitted.size not in encoded:
            buffer = io.BytesIO()
            method = SMALL_METHOD if max(fitted.size) <= SMALL_TEXTURE_PX else LARGE_METHOD
            fitted.save(buffer, format="WEBP", quality=quality, method=method, icc_profile=icc)
            encoded[fitted.size] = buffer.getvalue()
        out.append(encoded[fitted.size])
    return out
