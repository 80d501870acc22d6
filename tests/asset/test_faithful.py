"""Published LODs look like the upload and keep what a shop needs: each loss that was found on
real models has a test here, on a generated chair (gltf_factory.commerce_parts) that uses all
of it, and every LOD passes the Khronos glTF-Validator."""

from __future__ import annotations

import functools
import io
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from handlers.asset import textures
from handlers.asset.config import PipelineConfig
from handlers.asset.pipeline import PipelineResult, import_model, process_file
from handlers.asset.scene import Primitive
from tests.asset.gltf_factory import LAMP_ROTATION, SHARED_MODELS, commerce_parts, grid
from tests.asset.khronos import validate_glbs

CONFIG = PipelineConfig()
SOURCE_TRIANGLES = 2 * 7 * 7


@functools.cache
def chair(tmp: Path = Path("/tmp/shop3d-asset-faithful")) -> PipelineResult:
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "chair.glb"
    path.write_bytes(commerce_parts().glb())
    return process_file(path, "chair-1", CONFIG)


def glb_json(data: bytes) -> dict[str, Any]:
    (length,) = struct.unpack_from("<I", data, 12)
    doc: dict[str, Any] = json.loads(data[20 : 20 + length])
    return doc


def lod_docs() -> list[dict[str, Any]]:
    return [glb_json(lod.data) for lod in chair().lods]


def facing(prim: Primitive) -> float:
    """Mean cosine between each triangle's winding normal and its vertices' normals: +1 when
    the faces point where the shading says, -1 when the part is inside out."""
    assert prim.normals is not None
    tri = prim.indices.reshape(-1, 3)
    p = prim.positions.astype(np.float64)
    face = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
    face /= np.linalg.norm(face, axis=1, keepdims=True)
    return float(np.mean(np.sum(face * prim.normals[tri].mean(axis=1), axis=1)))


def test_a_mirrored_node_is_not_inside_out_in_any_lod():
    for lod in chair().lods:
        scene = import_model(lod.data, lod.file_name, CONFIG)
        # left, right (mirrored), and the three legs of one node joined (draw_calls.py)
        assert len(scene.primitives) == 3
        for prim in scene.primitives:
            assert facing(prim) > 0.9, lod.name


def test_every_lod_passes_the_khronos_validator_with_texcoord_1_and_colours_kept():
    reports = validate_glbs({lod.name: lod.data for lod in chair().lods})
    for name, report in reports.items():
        assert report.errors == 0, (name, report.error_messages())
    for lod in chair().lods:
        for prim in import_model(lod.data, lod.file_name, CONFIG).primitives:
            assert prim.uvs1 is not None and prim.colors is not None, lod.name
            # TEXCOORD_1 was TEXCOORD_0 / 2 and COLOR_0 was (u, v, 0.5, 0.5) per vertex.
            assert prim.uvs is not None
            assert np.allclose(prim.uvs1, prim.uvs * 0.5, atol=1e-3)
            assert np.allclose(prim.colors[:, 2:], 0.5, atol=1e-3)


def test_variants_are_kept_at_the_root_and_on_every_primitive():
    assert chair().manifest["variants"] == ["Red fabric", "Leather"]
    for doc in lod_docs():
        assert doc["extensions"]["KHR_materials_variants"]["variants"] == [
            {"name": "Red fabric"},
            {"name": "Leather"},
        ]
        for mesh in doc["meshes"]:
            for prim in mesh["primitives"]:
                assert prim["extensions"]["KHR_materials_variants"]["mappings"] == [
                    {"material": 0, "variants": [0]},
                    {"material": 1, "variants": [1]},
                ]
        assert "KHR_materials_variants" in doc["extensionsUsed"]


def test_attribution_is_kept_in_every_lod_and_the_manifest():
    attribution = {
        "copyright": "2026 Jane Maker, CC BY 4.0",
        "extras": {"author": "Jane Maker", "license": "CC-BY-4.0"},
    }
    assert chair().manifest["attribution"] == attribution
    for doc in lod_docs():
        assert {k: doc["asset"][k] for k in attribution} == attribution


def test_node_and_mesh_names_and_the_hierarchy_are_kept():
    assert chair().manifest["nodes"] == ["chair", "left", "right", "lamp", "legs"]
    for doc in lod_docs():
        nodes = doc["nodes"]
        root = nodes[doc["scenes"][0]["nodes"][0]]
        assert root["name"] == "chair"
        children = [nodes[c]["name"] for c in root["children"]]
        assert children == ["left", "right", "lamp", "legs"]
        meshes = [doc["meshes"][n["mesh"]]["name"] for n in nodes if "mesh" in n]
        assert meshes == ["seat", "seat", "seat"]


def test_gpu_instances_are_expanded_so_all_three_are_drawn():
    scene = import_model(commerce_parts().glb(), "chair.glb", CONFIG)
    assert scene.triangle_count == 5 * SOURCE_TRIANGLES
    (legs,) = [p for p in scene.primitives if scene.nodes[p.node].name == "legs"]
    # The copies share one node, so they are joined into one primitive, in instance order.
    copies = np.split(legs.positions, 3)
    assert [float(c[:, 0].min()) for c in copies] == pytest.approx([0.0, 1.0, 2.0])
    assert any("instances expanded" in d["why"] for d in chair().manifest["dropped"])


def test_the_light_keeps_its_world_placement():
    for doc in lod_docs():
        assert doc["extensions"]["KHR_lights_punctual"]["lights"][0]["type"] == "spot"
        lit = [n for n in doc["nodes"] if "KHR_lights_punctual" in n.get("extensions", {})]
        assert len(lit) == 1
        assert lit[0]["translation"] == pytest.approx([0, 2, 0])
        rotation = np.asarray(lit[0]["rotation"])
        assert abs(float(rotation @ np.asarray(LAMP_ROTATION))) == pytest.approx(1.0)


def test_what_is_dropped_is_listed_with_the_reason():
    dropped = [(d["what"], d["why"]) for d in chair().manifest["dropped"]]
    assert dropped == [
        ("1 cameras", "the viewer frames the product itself; cameras are not published"),
        ("1 nodes", "not part of the scene that is shown"),
        ("EXT_mesh_gpu_instancing", "instances expanded into plain geometry (5 mesh copies drawn)"),
        ("1 textures", "no material uses them"),
        ("1 images", "byte-identical to another image: encoded once"),
        ("1 images", "no texture uses them"),
    ]


def test_identical_images_are_encoded_once_and_unused_ones_pruned():
    for doc in lod_docs():
        assert len(doc["images"]) == 1
        # the two textures of the two identical images are now the same texture (draw_calls.py)
        assert [t["extensions"]["EXT_texture_webp"]["source"] for t in doc["textures"]] == [0]
        # the occlusion map and the transformed base colour still read texCoord 1
        fabric = doc["materials"][0]
        assert fabric["occlusionTexture"] == {"index": 0, "texCoord": 1}
        base = fabric["pbrMetallicRoughness"]["baseColorTexture"]
        assert base["extensions"]["KHR_texture_transform"]["texCoord"] == 1


def test_a_16_bit_greyscale_png_is_scaled_to_8_bits_not_clipped_white():
    ramp = np.linspace(0, 65535, 64 * 64).astype(np.uint16).reshape(64, 64)
    out = io.BytesIO()
    Image.fromarray(ramp).save(out, format="PNG")  # uint16 -> mode I;16
    with Image.open(io.BytesIO(out.getvalue())) as check:
        assert check.mode.startswith("I")  # Pillow decodes it wide
    (webp,) = textures.encode_webp_sizes(out.getvalue(), [None], 100)
    with Image.open(io.BytesIO(webp)) as img:
        grey = np.asarray(img.convert("L"), dtype=np.float64)
    expected = ramp / 257.0
    assert np.abs(grey - expected).mean() < 2.0
    assert grey.min() < 5 and grey.max() > 250


def write_obj_with_mtl(folder: Path) -> Path:
    positions, uvs, indices = grid(6)
    tris = indices.reshape(-1, 3) + 1
    half = len(tris) // 2
    lines = ["mtllib chair.mtl"]
    lines += [f"v {x} {y} {z}" for x, y, z in positions]
    lines += [f"vt {u} {v}" for u, v in uvs]
    for name, part in (("red", tris[:half]), ("wood", tris[half:])):
        lines.append(f"usemtl {name}")
        lines += [f"f {a}/{a} {b}/{b} {c}/{c}" for a, b, c in part]
    (folder / "chair.mtl").write_text(
        "newmtl red\nKd 0.8 0.1 0.1\nnewmtl wood\nKd 1 1 1\nmap_Kd wood.png\n"
    )
    Image.new("RGB", (16, 16), (120, 80, 40)).save(folder / "wood.png")
    path = folder / "chair.obj"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_obj_mtl_colours_and_textures_become_materials(tmp_path):
    path = write_obj_with_mtl(tmp_path)
    result = process_file(path, "obj-1", CONFIG, base_dir=tmp_path)
    for lod in result.lods:
        doc = glb_json(lod.data)
        by_name = {m["name"]: m["pbrMetallicRoughness"] for m in doc["materials"]}
        assert by_name["red"]["baseColorFactor"] == pytest.approx([0.8, 0.1, 0.1, 1.0], abs=0.01)
        assert by_name["wood"]["baseColorTexture"]["index"] == 0
        assert len(doc["images"]) == 1
        used = {p["material"] for m in doc["meshes"] for p in m["primitives"]}
        assert len(used) == 2
    reports = validate_glbs({lod.name: lod.data for lod in result.lods})
    assert all(r.errors == 0 for r in reports.values()), reports


def test_an_obj_without_its_mtl_says_the_materials_were_not_uploaded(tmp_path):
    path = write_obj_with_mtl(tmp_path)
    scene = import_model(path.read_bytes(), "chair.obj", CONFIG)
    assert [d.what for d in scene.dropped] == ["OBJ materials (mtllib)"]


def test_stl_is_millimetres_by_default_and_the_manifest_gives_metres():
    result = process_file(SHARED_MODELS / "counter.stl", "counter-1", CONFIG)
    manifest = result.manifest
    assert manifest["units"] == "m" and manifest["source"]["unit"] == "mm"
    raw = import_model(
        (SHARED_MODELS / "counter.stl").read_bytes(), "c.stl", PipelineConfig(mesh_unit="m")
    )
    lo, hi = raw.bbox()
    assert manifest["dimensions_m"] == pytest.approx(((hi - lo) / 1000).tolist(), rel=1e-5)


def test_an_unknown_unit_is_refused_with_the_allowed_ones():
    from handlers.asset.errors import AssetRejected

    with pytest.raises(AssetRejected, match="unit 'furlong' is not known; allowed: m, cm, mm"):
        import_model(b"solid x\nendsolid x\n", "x.stl", PipelineConfig(mesh_unit="furlong"))
