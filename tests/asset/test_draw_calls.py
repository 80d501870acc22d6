"""Fewer draw calls, same picture (glTF-Transform's dedup and join): materials that differ
only by name merge, and a node's primitives sharing material, attributes and variant mappings
join; what differs stays apart, and every LOD still passes the Khronos validator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from handlers.asset.config import PipelineConfig
from handlers.asset.gltf_container import parse_glb
from handlers.asset.pipeline import import_model, process_file
from tests.asset.gltf_factory import GltfParts
from tests.asset.khronos import validate_glbs

CONFIG = PipelineConfig()
SOURCE_TRIANGLES = 2 * 7 * 7


def _wood(name: str, roughness: float = 0.8) -> dict[str, Any]:
    return {
        "name": name,
        "pbrMetallicRoughness": {
            "baseColorFactor": [0.5, 0.35, 0.2, 1],
            "metallicFactor": 0,
            "roughnessFactor": roughness,
        },
    }


def four_parts(materials: list[dict[str, Any]], uses: list[int]) -> GltfParts:
    """One mesh of four copies of the grid side by side (four draw calls), primitive i using
    material uses[i]."""
    parts = GltfParts(8)
    first = parts.primitive
    prims = [first]
    for n in range(1, 4):
        shifted = parts.positions + np.asarray([1.1 * n, 0, 0], np.float32)
        prims.append(
            {
                "attributes": {
                    "POSITION": parts.add_accessor(shifted, "VEC3", bounds=True),
                    "TEXCOORD_0": first["attributes"]["TEXCOORD_0"],
                },
                "indices": first["indices"],
                "mode": 4,
            }
        )
    for prim, material in zip(prims, uses, strict=True):
        prim["material"] = material
    parts.doc["meshes"][0]["primitives"] = prims
    parts.doc["materials"] = materials
    return parts


def test_materials_that_differ_only_by_name_merge_and_their_primitives_join():
    parts = four_parts([_wood("oak"), _wood("oak.001"), _wood("oak.002")], [0, 1, 2, 0])
    scene = import_model(parts.glb(), "shelf.glb", CONFIG)
    assert [m["name"] for m in scene.materials] == ["oak"]
    assert len(scene.primitives) == 1
    assert scene.triangle_count == 4 * SOURCE_TRIANGLES
    assert scene.primitives[0].positions.shape == (4 * 64, 3)


def test_materials_that_look_different_keep_their_own_primitives():
    parts = four_parts([_wood("oak"), _wood("waxed oak", roughness=0.3)], [0, 1, 0, 1])
    scene = import_model(parts.glb(), "shelf.glb", CONFIG)
    assert [m["name"] for m in scene.materials] == ["oak", "waxed oak"]
    assert sorted(p.material or 0 for p in scene.primitives) == [0, 1]
    assert sorted(p.triangle_count for p in scene.primitives) == [2 * SOURCE_TRIANGLES] * 2


def test_primitives_with_different_attributes_or_nodes_stay_apart():
    parts = four_parts([_wood("oak")], [0, 0, 0, 0])
    prims = parts.doc["meshes"][0]["primitives"]
    del prims[3]["attributes"]["TEXCOORD_0"]  # one part without UVs
    parts.doc["meshes"].append({"primitives": [prims.pop(2)]})  # one part on its own node
    parts.doc["nodes"] = [{"children": [1, 2]}, {"mesh": 0}, {"mesh": 1}]
    scene = import_model(parts.glb(), "shelf.glb", CONFIG)
    shapes = sorted((p.node, p.uvs is None, p.triangle_count) for p in scene.primitives)
    assert shapes == [
        (1, False, 2 * SOURCE_TRIANGLES),
        (1, True, SOURCE_TRIANGLES),
        (2, False, SOURCE_TRIANGLES),
    ]


def test_variant_mappings_follow_the_merged_materials_and_keep_mapped_parts_apart():
    materials = [_wood("oak"), _wood("oak copy"), {"name": "walnut"}]
    parts = four_parts(materials, [0, 1, 0, 1])
    prims = parts.doc["meshes"][0]["primitives"]
    mapping = {"KHR_materials_variants": {"mappings": [{"material": 2, "variants": [0]}]}}
    prims[1]["extensions"] = mapping
    prims[3]["extensions"] = {
        "KHR_materials_variants": {"mappings": [{"material": 1, "variants": [0]}]}
    }
    parts.doc["extensions"] = {"KHR_materials_variants": {"variants": [{"name": "Walnut"}]}}
    parts.doc["extensionsUsed"] = ["KHR_materials_variants"]
    scene = import_model(parts.glb(), "shelf.glb", CONFIG)
    assert [m["name"] for m in scene.materials] == ["oak", "walnut"]
    mappings = sorted((p.triangle_count, str(p.variant_mappings)) for p in scene.primitives)
    assert mappings == [
        (SOURCE_TRIANGLES, "[{'material': 0, 'variants': [0]}]"),  # was oak copy: now oak
        (SOURCE_TRIANGLES, "[{'material': 1, 'variants': [0]}]"),  # walnut
        (2 * SOURCE_TRIANGLES, "None"),  # the two unmapped parts joined
    ]


def test_published_lods_draw_once_and_pass_the_khronos_validator(tmp_path: Path):
    parts = four_parts([_wood("oak"), _wood("oak.001")], [0, 1, 0, 1])
    path = tmp_path / "shelf.glb"
    path.write_bytes(parts.glb())
    result = process_file(path, "SHELF-1", CONFIG)
    for lod in result.lods:
        doc, _ = parse_glb(lod.data, CONFIG.limits)
        assert sum(len(m["primitives"]) for m in doc["meshes"]) == 1, lod.name
        assert len(doc["materials"]) == 1, lod.name
    reports = validate_glbs({lod.name: lod.data for lod in result.lods})
    assert all(r.errors == 0 for r in reports.values()), reports
