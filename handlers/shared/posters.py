"""The manifest's `posters` block: one fact, read by the renderer, the pages and the tests.

A poster manifest is the product's manifest plus `posters`, written next to it as
`manifest.<12 hex of the images' hash>.json` (manifests are cached as immutable, so the
original is never rewritten); the catalog's `manifest_key` then moves to it, conditionally.

    "posters": {
      "lod": "standard",                 # the LOD the images were rendered from
      "background": "transparent",       # or "viewer" (the viewer's light grey)
      "images": [                        # every role x width x format; urls relative to
        {"role": "poster", "width": 1200, "height": 1200,            # the manifest, like lods
         "type": "image/avif", "url": "poster-1200.<12 hex>.avif", "bytes": 48213},
        {"role": "poster", "width": 900, ...},
        {"role": "thumbnail", "width": 480, ...}, {"role": "thumbnail", "width": 240, ...}
      ]
    }

Pages build `<picture><source type="image/avif" srcset="... 240w, ... 480w, ... 1200w">`
from the entries of one type (see `srcset`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal

POSTERS: Final = "posters"
POSTER_LOD: Final = "standard"
POSTER_PX: Final = 1200
# A step between the thumbnails and the poster, for phones: the product box is 100vw, and a
# phone at DPR 2 up to 450 CSS px wide needs at most 900 px. Chromium takes the smallest
# candidate whose density reaches the DPR (measured with Debian's Chromium 156: a 412 px DPR-2
# viewport took the 1200 beside an 800, and takes a 900): without the step that phone fetched
# the 1200 (1.8x the 900's pixels) before its first 3D frame (bench/pages).
POSTER_STEP_PX: Final = (900,)
THUMBNAIL_PX: Final = (480, 240)
Role = Literal["poster", "thumbnail"]
Background = Literal["transparent", "viewer"]
# AVIF first: about half WebP's bytes at the same look; WebP for browsers without AVIF.
FORMATS: Final = {"avif": "image/avif", "webp": "image/webp"}
HASH_CHARS: Final = 12
# A render is tried this many times in all: the render job definition's retryStrategy in AWS,
# render_with_retries on the local platform.
ATTEMPTS: Final = 2
_POSTER_MANIFEST = re.compile(rf"^manifest\.[0-9a-f]{{{HASH_CHARS}}}\.json$")


@dataclass(frozen=True)
class PosterImage:
    role: Role
    width: int
    height: int
    extension: str
    digest: str  # sha256 hex of the encoded bytes
    data: bytes

    @property
    def url(self) -> str:
        return f"{self.role}-{self.width}.{self.digest[:HASH_CHARS]}.{self.extension}"

    def entry(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "width": self.width,
            "height": self.height,
            "type": FORMATS[self.extension],
            "url": self.url,
            "bytes": len(self.data),
        }


def sizes() -> list[tuple[Role, int]]:
    """Every image rendered for a product, largest first."""
    return [
        ("poster", POSTER_PX),
        *(("poster", px) for px in POSTER_STEP_PX),
        *(("thumbnail", px) for px in THUMBNAIL_PX),
    ]


def posters_block(images: list[PosterImage], background: Background) -> dict[str, Any]:
    return {"lod": POSTER_LOD, "background": background, "images": [i.entry() for i in images]}


def poster_manifest_name(images_digest: str) -> str:
    return f"manifest.{images_digest[:HASH_CHARS]}.json"


def is_poster_manifest(file_name: str) -> bool:
    return bool(_POSTER_MANIFEST.match(file_name))


def same_asset(current_key: object, published_key: str) -> bool:
    """True when the catalog's manifest key is `published_key` or its poster manifest."""
    if not isinstance(current_key, str):
        return False
    parent, _, name = current_key.rpartition("/")
    return current_key == published_key or (
        parent == published_key.rpartition("/")[0] and is_poster_manifest(name)
    )


def srcset(manifest: dict[str, Any], content_type: str, base_url: str) -> str:
    """`<url> <width>w, ...` of one image type, smallest first; '' when there are no posters."""
    images = manifest.get(POSTERS, {}).get("images", [])
    chosen = sorted((i for i in images if i["type"] == content_type), key=lambda i: i["width"])
    return ", ".join(f"{base_url}{i['url']} {i['width']}w" for i in chosen)
