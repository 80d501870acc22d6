"""What a product page needs from the asset manifest: the preview LOD to preload and the posters.

Manifest keys are content-hashed (assets/<sku>/<hash>/manifest.json), so a manifest read once
never changes: ManifestReader keeps the few it has read in memory.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from handlers.shared.posters import FORMATS, POSTERS

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)
MANIFESTS_KEPT: Final = 512  # ~2 KB each: about 1 MB of memory at most
# The renderer's formats, best compression first: a <picture> offers them in this order.
POSTER_TYPES: Final = FORMATS
POSTER_PREFERENCE: Final = tuple(FORMATS)
_EXTENSION_OF: Final = {content_type: ext for ext, content_type in FORMATS.items()}


@dataclass(frozen=True)
class PosterImage:
    url: str  # site-relative, e.g. /assets/SKU/hash/poster-1200.webp
    width: int
    height: int
    format: str  # a key of POSTER_TYPES


@dataclass(frozen=True)
class PageAssets:
    manifest_url: str
    preview_url: str | None
    model_url: str | None  # the standard LOD (else the finest): the 3D model search engines see
    posters: tuple[PosterImage, ...] = ()
    lods: tuple[tuple[str, str], ...] = ()  # (name, url), coarse to fine

    def lod_url(self, name: str) -> str | None:
        return next((url for lod, url in self.lods if lod == name), self.preview_url)

    def posters_of(self, fmt: str) -> list[PosterImage]:
        return sorted((p for p in self.posters if p.format == fmt), key=lambda p: p.width)

    @property
    def formats(self) -> list[str]:
        present = {p.format for p in self.posters}
        return [f for f in POSTER_PREFERENCE if f in present]


def _relative(manifest_url: str, url: str) -> str:
    if url.startswith("/") or "://" in url:
        return url
    return manifest_url.rsplit("/", 1)[0] + "/" + url


def _poster(entry: Any, manifest_url: str) -> PosterImage | None:
    if not isinstance(entry, dict):
        return None
    url, width = entry.get("url"), entry.get("width")
    content_type = entry.get("type")
    fmt = _EXTENSION_OF.get(content_type) if isinstance(content_type, str) else None
    height = entry.get("height", width)
    if (
        not isinstance(url, str)
        or not isinstance(width, int)
        or not isinstance(height, int)
        or width <= 0
        or height <= 0
        or fmt is None
    ):
        return None
    return PosterImage(_relative(manifest_url, url), width, height, str(fmt))


def page_assets(manifest: dict[str, Any], manifest_url: str) -> PageAssets:
    """The preview LOD and posters a manifest lists; entries that are not well-formed are left
    out (a page without a poster still works), never an error."""
    lods = [
        lod
        for lod in manifest.get("lods") or []
        if isinstance(lod, dict) and isinstance(lod.get("url"), str)
    ]
    urls = [_relative(manifest_url, lod["url"]) for lod in lods]  # coarse to fine
    standard = [u for lod, u in zip(lods, urls, strict=True) if lod.get("name") == "standard"]
    preview = urls[0] if urls else None
    chosen = standard or urls[-1:]
    model = chosen[0] if chosen else None
    block = manifest.get(POSTERS)
    listed = block.get("images") if isinstance(block, dict) else None
    entries = listed if isinstance(listed, list) else []
    posters = tuple(p for p in (_poster(e, manifest_url) for e in entries) if p is not None)
    names = tuple((str(lod.get("name")), url) for lod, url in zip(lods, urls, strict=True))
    return PageAssets(manifest_url, preview, model, posters, names)


class ManifestReader:
    def __init__(self, s3: S3Client, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._kept: OrderedDict[str, PageAssets | None] = OrderedDict()

    def assets(self, manifest_key: str) -> PageAssets | None:
        """The page assets of a manifest, or None if it cannot be read (logged; the page is
        served without poster and preload)."""
        if manifest_key in self._kept:
            self._kept.move_to_end(manifest_key)
            return self._kept[manifest_key]
        url = "/" + manifest_key
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=manifest_key)["Body"].read()
            found: PageAssets | None = page_assets(json.loads(body), url)
        except Exception as error:  # a missing manifest must not fail the page
            logger.warning("manifest %s unreadable: %s", manifest_key, error)
            return None  # not kept: it may appear later
        self._kept[manifest_key] = found
        if len(self._kept) > MANIFESTS_KEPT:
            self._kept.popitem(last=False)
        return found
