"""The rendered PNG as every poster and thumbnail, in AVIF and WebP (Pillow 12 bundles libavif)."""

from __future__ import annotations

import hashlib
import io
from typing import Final

from PIL import Image

from handlers.shared.posters import FORMATS, PosterImage, sizes

# Product shots on a flat or transparent ground: these qualities keep edges and labels clean.
QUALITY: Final = {"avif": 60, "webp": 82}
# A slower, smaller AVIF: a poster is encoded once and fetched before every first 3D frame.
# libavif's speed 4 (its default is 6) made the helmet's 900 px poster 4.6% smaller for about
# 1.3 s more per size on 2 cores. WebP's slower method saved 1-3.5% for 1.3-2.9 s: not taken.
ENCODER: Final[dict[str, dict[str, int]]] = {
    "avif": {"quality": QUALITY["avif"], "speed": 4},
    "webp": {"quality": QUALITY["webp"]},
}
PIL_FORMAT: Final = {"avif": "AVIF", "webp": "WEBP"}


def encode_posters(png: bytes) -> list[PosterImage]:
    """Each size (one render, downscaled: the same framing at every size) in each format."""
    with Image.open(io.BytesIO(png)) as opened:
        rendered = opened.convert("RGBA")
    images = []
    for role, px in sizes():
        scaled = (
            rendered
            if rendered.size == (px, px)
            else rendered.resize((px, px), Image.Resampling.LANCZOS)
        )
        for extension in FORMATS:
            out = io.BytesIO()
            scaled.save(out, format=PIL_FORMAT[extension], **ENCODER[extension])
            data = out.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            images.append(PosterImage(role, px, px, extension, digest, data))
    return images


def images_digest(images: list[PosterImage]) -> str:
    return hashlib.sha256("".join(i.digest for i in images).encode()).hexdigest()
