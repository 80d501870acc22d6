"""The storefront's built files as S3 objects: key, content type and cache-control per file.

Vite writes content-hashed files (`index-CgS_nISI.js`) under `static/`: they never change, so
browsers and CloudFront keep them for a year. Everything else (index.html above all) names
those hashed files and must be revalidated on every load, or a deploy would not show.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from handlers.shared.cache_control import IMMUTABLE, REVALIDATE

# The storefront's vite.config.ts `build.assetsDir`: the only place hashed files are written.
HASHED_DIR: Final = "static/"
# Vite's default file name hash: 8 URL-safe base64 characters before the extension.
HASHED_NAME: Final = re.compile(r"-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")
# Types mimetypes does not know everywhere: without application/wasm, browsers refuse
# WebAssembly.instantiateStreaming of the Draco decoder.
EXTRA_TYPES: Final = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".glb": "model/gltf-binary",
    ".gltf": "model/gltf+json",
    ".usdz": "model/vnd.usdz+zip",  # AR Quick Look opens nothing else
    ".webp": "image/webp",
    ".ktx2": "image/ktx2",
    ".woff2": "font/woff2",
    ".json": "application/json",
    ".map": "application/json",
}
FALLBACK_TYPE: Final = "application/octet-stream"
BUILD_HINT: Final = "build it with `cd storefront && npm ci && npm run build`"


class SiteBuildMissing(FileNotFoundError):
    """The storefront's build directory does not exist or holds no index.html."""


@dataclass(frozen=True)
class SiteFile:
    key: str
    path: Path
    content_type: str
    cache_control: str


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in EXTRA_TYPES:
        return EXTRA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    if guessed is None:
        return FALLBACK_TYPE
    # Text types without a charset are read as Latin-1 by some browsers.
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def cache_control(key: str) -> str:
    hashed = key.startswith(HASHED_DIR) and HASHED_NAME.search(key) is not None
    return IMMUTABLE if hashed else REVALIDATE


def site_files(root: Path, setting: str) -> list[SiteFile]:
    """Every file under `root` (the built site) in key order. `setting` is the config value
    the directory came from, named in the error when the build is missing."""
    if not (root / "index.html").is_file():
        raise SiteBuildMissing(
            f"shop3d:storefrontDist: {setting!r} ({root}) has no index.html; {BUILD_HINT}, or "
            "point shop3d:storefrontDist at a built site, or set it to 'skip' to deploy the "
            "storefront bucket without files"
        )
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        if key.startswith(".") or "/." in key:
            continue  # editor and OS droppings (.DS_Store), never part of the site
        files.append(
            SiteFile(
                key=key, path=path, content_type=content_type(key), cache_control=cache_control(key)
            )
        )
    return files
