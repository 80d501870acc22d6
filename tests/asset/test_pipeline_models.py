"""The whole pipeline on the real models in ../shared/models: every LOD re-imports, triangle
counts fall per LOD, bounding boxes agree with the input, the manifest follows the contract."""

from __future__ import annotations

import functools
import io
import json
import struct
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from PIL import Image

from handlers.asset import meshopt_native
from handlers.asset.config import DEFAULT_LODS, LodSpec, PipelineConfig
from handlers.asset.pipeline import PipelineResult, encode_textures, import_model, process_file
from handlers.asset.scene import Primitive, Scene
from handlers.asset.simplify import cascade, simplify_primitive
from tests.asset.gltf_factory import SHARED_MODELS, grid
from tests.asset.khronos import validate_glbs

CONFIG = PipelineConfig()
MODELS = ["DamagedHelmet.glb", "beast.obj", "counter.stl", "igea.ply"]


@functools.cache
def run_pipeline(name: str) -> tuple[str, bytes, PipelineResult]:
    path = SHARED_MODELS / name
    return name, path.read_bytes(), process_file(path, "sku-1", CONFIG)


@pytest.fixture(params=MODELS)
def processed(request) -> tuple[str, bytes, PipelineResult]:
    return run_pipeline(request.param)


def glb_json(data: bytes) -> dict[str, Any]:
    (length,) = struct.unpack_from("<I", data, 12)
    doc: dict[str, Any] = json.loads(data[20 : 20 + length])
    return doc


def test_lods_reimport_with_falling_triangles_and_the_same_bbox(processed):
    name, data, result = processed
    source = import_model(data, name, CONFIG)
    lo, hi = source.bbox()
    diagonal = source.diagonal()
    counts = []
    for lod, spec in zip(result.lods, DEFAULT_LODS, strict=True):
        scene = import_model(lod.data, lod.file_name, CONFIG)
        counts.append(scene.triangle_count)
        assert scene.triangle_count == lod.manifest_entry["triangles"]
        lo2, hi2 = scene.bbox()
        # Simplification may pull the hull in by at most its error bound; quantization adds
        # one step of the position grid.
        tolerance = (spec.max_error + 2.0**-spec.position_bits * 2) * diagonal
        assert np.all(np.abs(lo2 - lo) <= tolerance), (lod.name, lo, lo2)
        assert np.all(np.abs(hi2 - hi) <= tolerance), (lod.name, hi, hi2)
    assert counts[0] < counts[1] < counts[2] <= source.triangle_count


def test_manifest_follows_the_contract(processed):
    name, data, result = processed
    manifest = result.manifest
    assert manifest["version"] == 1 and manifest["sku"] == "sku-1"
    assert manifest["source"] == {
        "file": name,
        "bytes": len(data),
        "triangles": import_model(data, name, CONFIG).triangle_count,
        "unit": {"stl": "mm"}.get(name.rsplit(".", 1)[-1], "m"),
    }
    assert [e["name"] for e in manifest["lods"]] == ["preview", "standard", "high"]
    for entry, lod, spec in zip(manifest["lods"], result.lods, DEFAULT_LODS, strict=True):
        assert entry["url"] == f"{spec.name}.glb"
        assert entry["bytes"] == len(lod.data)
        assert (
            entry["compression"]
            == spec.compression
            == ("meshopt" if spec is DEFAULT_LODS[0] else "draco")
        )
        assert entry["texture_max_px"] == spec.texture_max_px
        assert 0 <= entry["error"] <= spec.max_error
        required = {
            "draco": {"KHR_draco_mesh_compression"},
            "meshopt": {"EXT_meshopt_compression", "KHR_mesh_quantization"},
        }[spec.compression]
        assert required <= set(glb_json(lod.data)["extensionsRequired"])
    assert len(manifest["content_hash"]) == 64
    json.dumps(manifest)  # serialisable as is


def test_every_lod_of_every_real_model_passes_the_khronos_validator():
    glbs = {f"{name} {lod.name}": lod.data for name in MODELS for lod in run_pipeline(name)[2].lods}
    reports = validate_glbs(glbs)
    assert len(reports) == 3 * len(MODELS)
    for key, report in reports.items():
        assert report.errors == 0, (key, report.error_messages())


def test_helmet_textures_are_webp_sized_per_lod():
    _, _, result = run_pipeline("DamagedHelmet.glb")
    for lod, spec in zip(result.lods, DEFAULT_LODS, strict=True):
        doc = glb_json(lod.data)
        assert "EXT_texture_webp" in doc["extensionsRequired"]
        (length,) = struct.unpack_from("<I", lod.data, 12)
        binary = lod.data[20 + length + 8 :]
        for image in doc["images"]:
            view = doc["bufferViews"][image["bufferView"]]
            raw = binary[view["byteOffset"] : view["byteOffset"] + view["byteLength"]]
            with Image.open(io.BytesIO(raw)) as img:
                assert img.format == "WEBP"
                assert max(img.size) == (spec.texture_max_px or 2048)
    # The budget of the first thing a shopper sees, textures included.
    assert len(result.lods[0].data) <= 150 * 1024


def test_tristrip_ply_is_converted_not_loaded_as_zero_faces():
    data = (SHARED_MODELS / "igea_tristrips_orig.ply").read_bytes()
    scene = import_model(data, "igea.ply", CONFIG)
    assert scene.triangle_count == 268_686


def two_primitive_grid() -> Scene:
    positions, uvs, indices = grid(25)  # x = 0.5 is a grid line
    tris = indices.reshape(-1, 3)
    left = positions[tris].mean(axis=1)[:, 0] < 0.5
    return Scene(
        [
            Primitive(positions, tris[left].reshape(-1), None, uvs, 0),
            Primitive(positions.copy(), tris[~left].reshape(-1), None, uvs.copy(), 1),
        ]
    )


def seam_positions(prim: Primitive) -> set[tuple[float, ...]]:
    used = prim.positions[np.unique(prim.indices)]
    return {tuple(p) for p in used if abs(p[0] - 0.5) < 1e-3}


def test_seams_between_primitives_stay_closed():
    scene = two_primitive_grid()
    source_triangles = scene.triangle_count
    lods = list(cascade(scene, CONFIG))  # consumes `scene`
    assert [lod.spec.name for lod in lods] == ["high", "standard", "preview"]
    assert lods[-1].scene.triangle_count < source_triangles / 2
    for lod in lods:
        left, right = lod.scene.primitives
        assert seam_positions(left) == seam_positions(right) != set()


def test_error_bound_wins_over_the_triangle_target():
    """Asked for 0.1% of the triangles within a tiny error, the simplifier stops early."""
    source = import_model((SHARED_MODELS / "counter.stl").read_bytes(), "c.stl", CONFIG)
    greedy = LodSpec(
        "preview", target_ratio=0.001, max_error=0.0002, position_bits=14, texture_max_px=256
    )
    source_triangles = source.triangle_count
    (lod,) = cascade(source, replace(CONFIG, lods=(greedy,)))
    assert lod.error <= 0.0002
    assert lod.scene.triangle_count > source_triangles * 0.01


def torus(rings: int = 48, sides: int = 24) -> Primitive:
    """A closed torus with UV seams: the first row and column are repeated with other UVs, so
    each seam position belongs to two vertices (four at the corner)."""
    u, v = np.meshgrid(np.linspace(0, 1, rings + 1), np.linspace(0, 1, sides + 1), indexing="ij")
    theta, phi = 2 * np.pi * u, 2 * np.pi * v
    radius = 1.0 + 0.3 * np.cos(phi)
    positions = np.stack([radius * np.cos(theta), radius * np.sin(theta), 0.3 * np.sin(phi)], -1)
    # cos/sin of 2*pi are not exactly those of 0: the repeated row and column copy the first.
    positions[-1], positions[:, -1] = positions[0], positions[:, 0]
    at = np.arange((rings + 1) * (sides + 1)).reshape(rings + 1, sides + 1)
    a, b, c, d = at[:-1, :-1], at[1:, :-1], at[1:, 1:], at[:-1, 1:]
    quads = np.stack([a, b, c, a, c, d], -1).reshape(-1)
    return Primitive(
        positions.reshape(-1, 3).astype(np.float32),
        quads.astype(np.uint32),
        None,
        np.stack([u, v], -1).reshape(-1, 2).astype(np.float32),
        0,
    )


def open_edges(prim: Primitive) -> int:
    """Edges of the mesh welded by position that do not join exactly two triangles."""
    _, welded = np.unique(prim.positions, axis=0, return_inverse=True)
    tris = welded.reshape(-1)[prim.indices].reshape(-1, 3)
    edges = np.sort(np.concatenate([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [2, 0]]]), axis=1)
    _, uses = np.unique(edges, axis=0, return_counts=True)
    return int(np.count_nonzero(uses != 2))


def test_kept_vertices_move_but_uv_seams_stay_closed():
    """meshoptimizer moves kept vertices onto the surface they replace; the copies of a seam
    position (one per UV) must move together, or the LOD cracks open along its UV seams."""
    source = torus()
    assert open_edges(source) == 0
    lod, error = simplify_primitive(source, source.triangle_count // 10, 0.05, None, CONFIG)
    assert lod.triangle_count <= source.triangle_count // 10
    assert 0 < error <= 0.05
    assert open_edges(lod) == 0
    moved = ~(lod.positions[:, None, :] == source.positions[None, :, :]).all(-1).any(1)
    assert moved.any()


def test_the_simplifier_refuses_arrays_it_cannot_update_in_place():
    positions, _, indices = grid(8)
    indices.flags.writeable = False
    args = (positions, None, np.zeros(0, np.float32), None, 30, 0.05, 0)
    with pytest.raises(ValueError, match="indices must be a writeable C-contiguous uint32"):
        meshopt_native.simplify_with_update(indices, *args)


def test_lods_already_yielded_are_not_changed_by_the_next():
    """Only the consumed source is simplified in place; every LOD handed out stays intact."""
    seen = []
    for lod in cascade(two_primitive_grid(), CONFIG):
        seen.append((lod, [(p.indices.copy(), p.positions.copy()) for p in lod.scene.primitives]))
    assert len({lod.scene.triangle_count for lod, _ in seen}) == 3
    for lod, arrays in seen:
        for prim, (indices, positions) in zip(lod.scene.primitives, arrays, strict=True):
            assert np.array_equal(prim.indices, indices), lod.spec.name
            assert np.array_equal(prim.positions, positions), lod.spec.name


@pytest.mark.parametrize("name", ["DamagedHelmet.glb", "igea.ply"])
def test_meshopt_lod_reads_back_within_half_a_quantization_step(name: str):
    """The quantized meshopt preview, read back by our own importer (normalized integers, the
    node's dequantizing transform), against the simplified mesh it was written from, vertex
    by vertex: positions within half a step of the grid, in metres (2^-13 of the largest side
    at the preview's 13 bits), UVs within half a 2^-10 step, normals within 8-bit octahedral
    precision."""
    from handlers.asset.glb_write import build_glb, cache_order
    from handlers.asset.quantize import PositionGrid

    preview = DEFAULT_LODS[0]
    assert CONFIG.compression_of(preview) == "meshopt"
    source = import_model((SHARED_MODELS / name).read_bytes(), name, CONFIG)
    webp = encode_textures(source, CONFIG)["preview"]
    lod = next(lod for lod in cascade(source, CONFIG) if lod.spec.name == "preview")
    built = build_glb(lod.scene, preview, CONFIG, webp)
    doc = glb_json(built.data)
    assert {"EXT_meshopt_compression", "KHR_mesh_quantization"} <= set(doc["extensionsRequired"])
    again = import_model(built.data, "preview.glb", CONFIG)
    lo, hi = lod.scene.bbox()
    grid = PositionGrid.of(lo, hi, preview.position_bits)
    side = float((hi - lo).max())
    assert grid.max_position_error == pytest.approx(side / (2**preview.position_bits - 2) / 2)
    (written,) = lod.scene.primitives
    (read,) = again.primitives
    _, order = cache_order(written)
    float_slack = 4 * np.finfo(np.float32).eps * side  # the importer's float32 arithmetic
    position_error = np.abs(read.positions - written.positions[order]).max()
    assert position_error <= grid.max_position_error + float_slack
    assert position_error > grid.max_position_error / 4  # really on the grid, not float
    assert written.normals is not None and read.normals is not None
    unit = written.normals[order] / np.linalg.norm(written.normals[order], axis=1)[:, None]
    back = read.normals / np.linalg.norm(read.normals, axis=1)[:, None]
    # 8-bit octahedral: the grid step h = 1/127; rounding moves the octahedron point by at most
    # h * sqrt(1.5) and the direction by sqrt(3) times that (the point is at least 1/sqrt(3)
    # from the centre); the decoder's int8 output adds sqrt(3)/2 * h: 1.35 degrees in all.
    h = 1 / 127
    bound = np.degrees((np.sqrt(3) * np.sqrt(1.5) + np.sqrt(3) / 2) * h)
    assert np.degrees(np.arccos(np.clip((unit * back).sum(axis=1), -1, 1))).max() <= bound
    if written.uvs is not None:
        shift = np.floor(written.uvs.min(axis=0))  # whole repeats (every sampler repeats)
        uv_error = np.abs(read.uvs + shift - written.uvs[order]).max()
        assert uv_error <= 2.0 ** -(preview.uv_bits + 1) + 1e-6
    # The same triangles with the same winding, in the codec's order.
    new_of_old = np.empty(written.positions.shape[0], dtype=np.int64)
    new_of_old[order] = np.arange(order.size)
    assert _triangle_set(read.indices) == _triangle_set(new_of_old[written.indices])


def _triangle_set(indices: np.ndarray) -> set[tuple[int, ...]]:
    """Triangles rotated to start at their smallest index (winding kept)."""
    tris = indices.reshape(-1, 3).astype(np.int64)
    first = tris.argmin(axis=1)
    rotated = np.stack([tris[np.arange(len(tris)), (first + k) % 3] for k in range(3)], axis=1)
    return {tuple(t) for t in rotated.tolist()}
