"""Images and textures encoded once: byte-identical images are merged, and images no texture
uses and textures no material uses are pruned (each LOD would otherwise encode and ship them)."""

from __future__ import annotations

import hashlib
from typing import Any

from handlers.asset.errors import AssetRejected
from handlers.asset.scene import Dropped, Scene, SourceImage

WEBP = "EXT_texture_webp"


def texture_source(texture: dict[str, Any]) -> int | None:
    source = texture.get("source", texture.get("extensions", {}).get(WEBP, {}).get("source"))
    return source if isinstance(source, int) else None


def texture_infos(value: Any) -> list[dict[str, Any]]:
    """Every textureInfo inside material JSON: the objects under a key ending in "Texture"
    (baseColorTexture, normalTexture, clearcoatTexture, ...) that carry an "index"."""
    found: list[dict[str, Any]] = []
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        key, item = stack.pop()
        if isinstance(item, dict):
            if key.endswith("Texture") and isinstance(item.get("index"), int):
                found.append(item)
            stack.extend(item.items())
        elif isinstance(item, list):
            stack.extend((key, v) for v in item)
    return found


def prune_images(scene: Scene) -> None:
    """Rewrite `scene`'s textures and materials in place; what went is told in `dropped`."""
    infos = texture_infos(scene.materials)
    used_textures = sorted({i["index"] for i in infos if 0 <= i["index"] < len(scene.textures)})
    unused = len(scene.textures) - len(used_textures)
    if unused:
        scene.dropped.append(Dropped(f"{unused} textures", "no material uses them"))
    texture_map = {old: new for new, old in enumerate(used_textures)}
    for info in infos:
        info["index"] = texture_map.get(info["index"], info["index"])
    scene.textures = [scene.textures[i] for i in used_textures]

    first_of: dict[bytes, int] = {}
    image_map: dict[int, int] = {}
    kept: list[SourceImage] = []
    duplicates = 0
    used_images = {texture_source(t) for t in scene.textures} - {None}
    for index, image in enumerate(scene.images):
        if index not in used_images:
            continue
        digest = hashlib.sha256(image.data).digest()
        if digest in first_of:
            duplicates += 1
        else:
            first_of[digest] = len(kept)
            kept.append(image)
        image_map[index] = first_of[digest]
    pruned = len(scene.images) - len(used_images & set(range(len(scene.images))))
    if duplicates:
        scene.dropped.append(
            Dropped(f"{duplicates} images", "byte-identical to another image: encoded once")
        )
    if pruned:
        scene.dropped.append(Dropped(f"{pruned} images", "no texture uses them"))
    for n, texture in enumerate(scene.textures):
        source = texture_source(texture)
        if source is None:
            continue
        if source not in image_map:
            raise AssetRejected(
                f"a texture (now textures[{n}]) uses image {source}, which is not there"
            )
        if "source" in texture:
            texture["source"] = image_map[source]
        else:
            texture["extensions"][WEBP]["source"] = image_map[source]
    scene.images = kept
