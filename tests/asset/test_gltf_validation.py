"""Every bad-input rule of the glTF importer, each with the error text a seller sees."""

from __future__ import annotations

import struct
from dataclasses import replace

import numpy as np
import pytest

from handlers.asset.config import AssetLimits, PipelineConfig
from handlers.asset.errors import AssetRejected
from handlers.asset.pipeline import import_model
from tests.asset.gltf_factory import GltfParts

CONFIG = PipelineConfig()


def rejected(data: bytes, name: str = "model.glb", config: PipelineConfig = CONFIG) -> str:
    with pytest.raises(AssetRejected) as info:
        import_model(data, name, config)
    return str(info.value)


def with_limits(**limits: int) -> PipelineConfig:
    return replace(CONFIG, limits=replace(AssetLimits(), **limits))


def test_valid_glb_imports():
    parts = GltfParts(8)
    scene = import_model(parts.glb(), "ok.glb", CONFIG)
    assert scene.triangle_count == 2 * 7 * 7
    uvs = scene.primitives[0].uvs
    assert uvs is not None and np.allclose(uvs, parts.uvs)


def test_magic_must_be_gltf():
    data = b"glTX" + GltfParts().glb()[4:]
    assert "magic is b'glTX', expected b'glTF'" in rejected(data)


def test_container_version_must_be_2():
    data = bytearray(GltfParts().glb())
    struct.pack_into("<I", data, 4, 1)
    assert "container version is 1; only version 2" in rejected(bytes(data))


def test_asset_version_must_be_2():
    parts = GltfParts()
    parts.doc["asset"]["version"] = "1.0"
    assert "asset.version is '1.0'; only version 2.x" in rejected(parts.glb())


def test_header_length_longer_than_file():
    data = GltfParts().glb()
    assert "header declares" in rejected(data[:-8])


def test_chunk_length_past_end_of_file():
    data = bytearray(GltfParts().glb())
    struct.pack_into("<I", data, 12, len(data))  # JSON chunk claims the whole file and more
    assert "past the end of the" in rejected(bytes(data))


def test_accessor_reading_past_its_buffer_view():
    parts = GltfParts()
    parts.doc["accessors"][0]["count"] += 5
    assert "reads 69 elements up to byte" in rejected(parts.glb())


def test_buffer_view_past_its_buffer():
    parts = GltfParts()
    parts.doc["bufferViews"][0]["byteLength"] += 4096
    assert "spans bytes" in rejected(parts.glb())


def test_index_out_of_range():
    parts = GltfParts()
    parts.indices[5] = 1000
    parts.binary[parts.doc["bufferViews"][2]["byteOffset"] :] = parts.indices.tobytes()
    assert "reference vertex 1000, but there are 64" in rejected(parts.glb())


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_infinite_positions(bad: float):
    parts = GltfParts()
    parts.positions[3, 1] = bad
    parts.binary[: parts.positions.nbytes] = parts.positions.tobytes()
    assert "NaN or infinite vertex positions" in rejected(parts.glb())


def test_node_cycle():
    parts = GltfParts()
    parts.doc["nodes"] = [{"mesh": 0, "children": [1]}, {"children": [0]}]
    assert "cycle through nodes[0]" in rejected(parts.glb())


def test_node_with_two_parents():
    parts = GltfParts()
    parts.doc["nodes"] = [{"children": [2]}, {"children": [2]}, {"mesh": 0}]
    parts.doc["scenes"] = [{"nodes": [0, 1]}]
    assert "nodes[2] has more than one parent" in rejected(parts.glb())


def test_unknown_required_extension():
    parts = GltfParts()
    parts.doc["extensionsRequired"] = ["KHR_draco_mesh_compression", "EXT_made_up"]
    message = rejected(parts.glb())
    assert "cannot read: EXT_made_up" in message
    assert "supported: " in message


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("http://example.com/buffer.bin", "only embedded data: URIs and relative paths"),
        ("file:///etc/passwd", "only embedded data: URIs and relative paths"),
        ("/etc/passwd", "only embedded data: URIs and relative paths"),
        ("../secret.bin", "'..' is not allowed"),
        ("models/%2E%2E/secret.bin", "'..' is not allowed"),
        ("buffer.bin", "uploads must be self-contained"),
    ],
)
def test_buffer_uris(uri: str, expected: str):
    assert expected in rejected(GltfParts().gltf(uri), "model.gltf")


def test_relative_uri_resolves_next_to_a_local_file(tmp_path):
    parts = GltfParts()
    (tmp_path / "buffer.bin").write_bytes(bytes(parts.binary))
    scene = import_model(parts.gltf("buffer.bin"), "model.gltf", CONFIG, base_dir=tmp_path)
    assert scene.triangle_count == parts.indices.size // 3


def test_embedded_gltf_imports():
    assert import_model(GltfParts().gltf(), "model.gltf", CONFIG).triangle_count == 98


def test_declared_triangles_over_limit():
    message = rejected(GltfParts().glb(), config=with_limits(max_triangles=50))
    assert "declares 98 triangles; the limit is 50" in message


def test_declared_vertices_over_limit():
    message = rejected(GltfParts().glb(), config=with_limits(max_vertices=10))
    assert "declares 64 vertices; the limit is 10" in message


def test_bytes_over_limit():
    data = GltfParts().glb()
    message = rejected(data, config=with_limits(max_bytes=100))
    assert f"upload is {len(data)} bytes; the limit is 100 bytes" in message


def test_texture_count_over_limit():
    parts = GltfParts()
    parts.doc["textures"] = [{"source": 0}] * 3
    assert "3 textures; the limit is 2" in rejected(parts.glb(), config=with_limits(max_textures=2))


def test_texture_pixels_over_limit_read_from_header():
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (64, 32)).save(png, format="PNG")
    parts = GltfParts()
    parts.doc["images"] = [{"bufferView": parts.add_view(png.getvalue()), "mimeType": "image/png"}]
    message = rejected(parts.glb(), config=with_limits(max_texture_pixels=1000))
    assert "images[0] is 64x32 pixels; the limit is 1000 pixels" in message


def test_compressed_counts_checked_before_decoding():
    """A Draco primitive declaring a huge count is refused on the count, not on decoding."""
    parts = GltfParts()
    parts.doc["accessors"][0]["count"] = 10**9
    parts.primitive["extensions"] = {
        "KHR_draco_mesh_compression": {
            "bufferView": parts.add_view(b"\x00" * 64),
            "attributes": {"POSITION": 0},
        }
    }
    assert "declares 1000000000 vertices" in rejected(parts.glb())


def test_garbage_draco_data_is_a_clear_rejection():
    parts = GltfParts()
    parts.primitive["extensions"] = {
        "KHR_draco_mesh_compression": {
            "bufferView": parts.add_view(b"\x07" * 64),
            "attributes": {"POSITION": 0},
        }
    }
    assert "Draco data could not be decoded" in rejected(parts.glb())


def test_points_and_lines_are_refused():
    parts = GltfParts()
    parts.primitive["mode"] = 1
    assert "mode 1 (points or lines) is not supported" in rejected(parts.glb())


def test_skinned_meshes_are_refused():
    parts = GltfParts()
    parts.primitive["attributes"]["JOINTS_0"] = 0
    assert "skinned or morph-target meshes are not supported" in rejected(parts.glb())


def test_unsupported_file_type():
    assert "file type 'fbx' of 'chair.fbx' is not supported; allowed: glb, gltf, obj" in rejected(
        b"x", "chair.fbx"
    )


def test_truncated_binary_stl():
    data = bytearray(84 + 50 * 2)
    struct.pack_into("<I", data, 80, 1000)
    assert "declares 1000 triangles but the file is 184 bytes" in rejected(bytes(data), "a.stl")


def test_model_without_triangles():
    parts = GltfParts()
    parts.doc["nodes"] = [{}]
    assert "no triangles to display" in rejected(parts.glb())
