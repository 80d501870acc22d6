"""What the glTF layer must read correctly: strides, normalized and sparse accessors,
strips, node transforms, and Draco- or meshopt-compressed inputs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from handlers.asset.config import DEFAULT_LODS, PipelineConfig
from handlers.asset.glb_write import build_glb, cache_order
from handlers.asset.gltf_import import to_triangle_list
from handlers.asset.pipeline import import_model
from handlers.asset.quantize import PositionGrid
from tests.asset.gltf_factory import GltfParts
from tests.asset.test_pipeline_models import glb_json

CONFIG = PipelineConfig()
HIGH = DEFAULT_LODS[-1]


def only_primitive(data: bytes, name: str = "m.glb"):
    scene = import_model(data, name, CONFIG)
    assert len(scene.primitives) == 1
    return scene.primitives[0]


def test_interleaved_buffer_view_with_byte_stride():
    parts = GltfParts()
    interleaved = np.hstack([parts.positions, parts.uvs]).astype(np.float32)  # 20-byte vertices
    view = parts.add_view(interleaved.tobytes(), stride=20)
    count = parts.positions.shape[0]
    parts.doc["accessors"].append(
        {"bufferView": view, "componentType": 5126, "count": count, "type": "VEC3"}
    )
    parts.doc["accessors"].append(
        {
            "bufferView": view,
            "byteOffset": 12,
            "componentType": 5126,
            "count": count,
            "type": "VEC2",
        }
    )
    parts.primitive["attributes"] = {"POSITION": 3, "TEXCOORD_0": 4}
    prim = only_primitive(parts.glb())
    assert np.array_equal(prim.positions, parts.positions)
    assert np.array_equal(prim.uvs, parts.uvs)


def test_normalized_unsigned_byte_uvs():
    parts = GltfParts()
    quantized = np.round(parts.uvs * 255).astype(np.uint8)
    quantized = np.hstack([quantized, np.zeros((quantized.shape[0], 2), np.uint8)])[:, :2].copy()
    parts.primitive["attributes"]["TEXCOORD_0"] = parts.add_accessor(
        quantized, "VEC2", normalized=True
    )
    prim = only_primitive(parts.glb())
    assert np.allclose(prim.uvs, quantized / 255.0)
    assert prim.uvs.dtype == np.float32


def test_sparse_accessor_substitutes_values():
    parts = GltfParts()
    moved = np.array([[5.0, 5.0, 5.0], [-1.0, 2.0, 3.0]], dtype=np.float32)
    targets = np.array([3, 10], dtype=np.uint16)
    acc = parts.doc["accessors"][0]
    acc["sparse"] = {
        "count": 2,
        "indices": {"bufferView": parts.add_view(targets.tobytes()), "componentType": 5123},
        "values": {"bufferView": parts.add_view(moved.tobytes())},
    }
    prim = only_primitive(parts.glb())
    assert np.array_equal(prim.positions[[3, 10]], moved)
    assert np.array_equal(prim.positions[0], parts.positions[0])


def test_sparse_accessor_without_buffer_view_starts_from_zeros():
    parts = GltfParts()
    acc = parts.doc["accessors"][0]
    del acc["bufferView"]
    everything = np.arange(parts.positions.shape[0], dtype=np.uint32)
    acc["sparse"] = {
        "count": int(everything.size),
        "indices": {"bufferView": parts.add_view(everything.tobytes()), "componentType": 5125},
        "values": {"bufferView": parts.add_view(parts.positions.tobytes())},
    }
    assert np.array_equal(only_primitive(parts.glb()).positions, parts.positions)


def test_triangle_strip_and_fan_conversion():
    strip = to_triangle_list(np.array([[0], [1], [2], [3]], np.uint32), 4, 5, "p")
    assert strip.reshape(-1, 3).tolist() == [[0, 1, 2], [1, 3, 2]]
    fan = to_triangle_list(np.array([[0], [1], [2], [3]], np.uint32), 4, 6, "p")
    assert fan.reshape(-1, 3).tolist() == [[0, 1, 2], [0, 2, 3]]


def test_node_transform_is_applied():
    parts = GltfParts()
    parts.doc["nodes"] = [
        {"children": [1], "translation": [10, 0, 0]},
        {"mesh": 0, "scale": [2, 2, 2]},
    ]
    prim = only_primitive(parts.glb())
    assert np.allclose(prim.positions, parts.positions * 2 + [10, 0, 0])


def test_draco_compressed_input_round_trips():
    source = import_model(GltfParts(16).glb(), "m.glb", CONFIG)
    built = build_glb(source, HIGH, CONFIG)
    assert built.compression == "draco"
    again = import_model(built.data, "m.glb", CONFIG)
    assert again.triangle_count == source.triangle_count
    lo, hi = source.bbox()
    lo2, hi2 = again.bbox()
    tolerance = source.diagonal() / 2**HIGH.position_bits * 2
    assert np.allclose(lo, lo2, atol=tolerance) and np.allclose(hi, hi2, atol=tolerance)


def test_meshopt_compressed_input_round_trips():
    """Our quantized meshopt output (int16 positions under a dequantizing node transform,
    uint16 UVs) read back by our own importer: the same vertices within half a grid step."""
    source = import_model(GltfParts(16).glb(), "m.glb", CONFIG)
    built = build_glb(source, HIGH, replace(CONFIG, compression="meshopt"))
    assert built.compression == "meshopt"
    assert b"EXT_meshopt_compression" in built.data
    again = import_model(built.data, "m.glb", CONFIG)
    (prim,), (read,) = source.primitives, again.primitives
    _, order = cache_order(prim)
    grid = PositionGrid.of(*source.bbox(), HIGH.position_bits)
    slack = 1e-6  # float32 arithmetic on a unit-sized model
    assert np.abs(read.positions - prim.positions[order]).max() <= grid.max_position_error + slack
    uv_error = np.abs(read.uvs - prim.uvs[order]).max()  # type: ignore[index, operator]
    assert uv_error <= 2.0 ** -(HIGH.uv_bits + 1) + slack
    assert read.triangle_count == prim.triangle_count


def test_meshopt_lod_of_a_node_with_children_keeps_their_world_placement():
    """The dequantizing transform sits on the nodes that draw meshes; their children that do
    not draw get its inverse, so a light still lands where it was."""
    parts = GltfParts()
    parts.doc["nodes"] = [{"mesh": 0, "children": [1]}, {"name": "child"}]
    source = import_model(parts.glb(), "m.glb", CONFIG)
    built = build_glb(source, HIGH, replace(CONFIG, compression="meshopt"))
    nodes = glb_json(built.data)["nodes"]
    grid = PositionGrid.of(*source.bbox(), HIGH.position_bits)
    assert nodes[0]["scale"] == [grid.scale] * 3
    child = nodes[nodes[0]["children"][0]]
    world_scale = nodes[0]["scale"][0] * child["scale"][0]
    world_offset = np.asarray(nodes[0]["translation"]) + nodes[0]["scale"][0] * np.asarray(
        child["translation"]
    )
    assert world_scale == pytest.approx(1.0)
    assert np.allclose(world_offset, 0, atol=1e-9)


def test_draco_falls_back_to_plain_for_a_degenerate_primitive():
    parts = GltfParts()
    flat = np.zeros_like(parts.positions)  # every triangle collapses to a point
    parts.primitive["attributes"]["POSITION"] = parts.add_accessor(flat, "VEC3", bounds=True)
    scene = import_model(parts.glb(), "m.glb", CONFIG)
    built = build_glb(scene, HIGH, CONFIG)
    assert built.compression == "none"
    assert import_model(built.data, "m.glb", CONFIG).triangle_count == scene.triangle_count


def test_meshopt_lod_keeps_a_light_on_a_mesh_node_where_it_was():
    parts = GltfParts()
    parts.doc["extensionsUsed"] = ["KHR_lights_punctual"]
    parts.doc["extensions"] = {"KHR_lights_punctual": {"lights": [{"type": "point"}]}}
    parts.doc["nodes"] = [
        {"mesh": 0, "translation": [1, 2, 3], "extensions": {"KHR_lights_punctual": {"light": 0}}}
    ]
    source = import_model(parts.glb(), "m.glb", CONFIG)
    nodes = glb_json(build_glb(source, HIGH, replace(CONFIG, compression="meshopt")).data)["nodes"]
    host = nodes[0]
    (light,) = [nodes[c] for c in host["children"]]
    assert light["extensions"]["KHR_lights_punctual"] == {"light": 0}
    world = np.asarray(host["translation"]) + host["scale"][0] * np.asarray(light["translation"])
    assert np.allclose(world, [1, 2, 3], atol=1e-6)
    assert host["scale"][0] * light["scale"][0] == pytest.approx(1.0)
