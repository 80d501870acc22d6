"""Fewer draw calls for the same picture, as glTF-Transform's `dedup` and `join` do: textures
and materials that differ only in their names become one, then the primitives of one node
that share a material, the same attributes and the same variant mappings become one primitive.
Transforms are already baked into the vertices (scene.py), so joining changes no pixel.

A material's name is not shown to shoppers; the merged material keeps the first one's name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from handlers.asset.image_pruning import texture_infos
from handlers.asset.scene import Primitive, Scene

VARIANTS = "KHR_materials_variants"


@dataclass(frozen=True)
class Reduced:
    textures: int  # merged into an identical one
    materials: int
    primitives: int  # joined into another


def _identity(value: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in value.items() if k != "name"}, sort_keys=True)


def _first_of_each(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The distinct items (by everything but the name) and where each old index went."""
    first: dict[str, int] = {}
    kept: list[dict[str, Any]] = []
    moved: dict[int, int] = {}
    for index, item in enumerate(items):
        key = _identity(item)
        if key not in first:
            first[key] = len(kept)
            kept.append(item)
        moved[index] = first[key]
    return kept, moved


def merge_textures(scene: Scene) -> int:
    """Identical textures (same image and sampler) become one; materials re-pointed."""
    kept, moved = _first_of_each(scene.textures)
    merged = len(scene.textures) - len(kept)
    if merged:
        for info in texture_infos(scene.materials):
            info["index"] = moved.get(info["index"], info["index"])
        scene.textures = kept
    return merged


def merge_materials(scene: Scene) -> int:
    """Identical materials become one; primitives and their variant mappings re-pointed."""
    kept, moved = _first_of_each(scene.materials)
    merged = len(scene.materials) - len(kept)
    if not merged:
        return 0
    scene.materials = kept
    for prim in scene.primitives:
        if prim.material is not None:
            prim.material = moved.get(prim.material, prim.material)
        if prim.variant_mappings is not None:
            prim.variant_mappings = [_remapped(m, moved) for m in prim.variant_mappings]
    return merged


def _remapped(mapping: dict[str, Any], moved: dict[int, int]) -> dict[str, Any]:
    material = mapping.get("material")
    return {**mapping, "material": moved[material]} if material in moved else mapping


def _join_key(prim: Primitive) -> str:
    attributes = [a is None for a in (prim.normals, prim.uvs, prim.uvs1, prim.colors)]
    return json.dumps(
        [prim.node, prim.material, attributes, prim.variant_mappings], sort_keys=True, default=str
    )


def _joined(parts: list[Primitive]) -> Primitive:
    offsets = np.cumsum([0] + [p.positions.shape[0] for p in parts[:-1]])
    indices = np.concatenate(
        [p.indices + np.uint32(o) for p, o in zip(parts, offsets, strict=True)]
    )

    def stack(name: str) -> Any:
        values = [getattr(p, name) for p in parts]
        return None if values[0] is None else np.concatenate(values)

    first = parts[0]
    return Primitive(
        positions=stack("positions"),
        indices=indices.astype(np.uint32),
        normals=stack("normals"),
        uvs=stack("uvs"),
        material=first.material,
        uvs1=stack("uvs1"),
        colors=stack("colors"),
        node=first.node,
        variant_mappings=first.variant_mappings,
    )


def join_primitives(scene: Scene) -> int:
    """Primitives of one node with the same material, attributes and variant mappings become
    one (in the place of the first); returns how many were joined into another."""
    groups: dict[str, list[int]] = {}
    for index, prim in enumerate(scene.primitives):
        groups.setdefault(_join_key(prim), []).append(index)
    if all(len(members) == 1 for members in groups.values()):
        return 0
    joined: list[Primitive] = []
    for members in sorted(groups.values()):
        parts = [scene.primitives[i] for i in members]
        joined.append(parts[0] if len(parts) == 1 else _joined(parts))
    before = len(scene.primitives)
    scene.primitives = joined
    return before - len(joined)


def reduce_draw_calls(scene: Scene) -> Reduced:
    """Merge textures, then materials (now equal if they differed by texture only), then join."""
    textures = merge_textures(scene)
    materials = merge_materials(scene)
    return Reduced(textures, materials, join_primitives(scene))
