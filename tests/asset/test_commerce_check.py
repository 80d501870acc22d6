"""The commerce asset check (Khronos 3D Commerce Real-time Asset Creation Guidelines 1.0):
errors reject the upload with a reason a seller can act on, warnings are published in the
manifest's report; the AR file takes the product's real size."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from handlers.asset.commerce_check import CheckReport, check_lod, check_source
from handlers.asset.config import PipelineConfig
from handlers.asset.errors import AssetRejected
from handlers.asset.pipeline import import_model, process_file
from handlers.asset.scene import Primitive, Scene, SourceImage
from tests.asset.gltf_factory import SHARED_MODELS, GltfParts, grid

CONFIG = PipelineConfig()


def centred_box_scene(uvs: bool = True, texture_size: tuple[int, int] = (512, 512)) -> Scene:
    """A grid standing on the floor, centred, with one textured material."""
    positions, grid_uvs, indices = grid(8)
    # a ramp 1 m wide and deep, 0.2 m high, y up, the centre of its base at the origin
    positions = np.column_stack(
        [positions[:, 0] - 0.5, 0.2 * positions[:, 0], positions[:, 1] - 0.5]
    ).astype(np.float32)
    picture = io.BytesIO()
    Image.new("RGB", texture_size, (128, 100, 80)).save(picture, format="PNG")
    return Scene(
        [Primitive(positions, indices, None, grid_uvs if uvs else None, 0)],
        materials=[
            {
                "name": "oak",
                "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "metallicFactor": 0},
            }
        ],
        textures=[{"source": 0}],
        images=[SourceImage(picture.getvalue(), "image/png", "oak")],
    )


def previews(scene: Scene) -> list[bytes]:
    out = []
    for image in scene.images:
        buffer = io.BytesIO()
        Image.open(io.BytesIO(image.data)).save(buffer, format="WEBP")
        out.append(buffer.getvalue())
    return out


def codes(report: CheckReport) -> list[tuple[str, str]]:
    return [(f.code, f.level) for f in report.findings]


def test_a_centred_power_of_two_pbr_safe_model_passes_clean():
    scene = centred_box_scene()
    assert check_source(scene, None, previews(scene)).findings == []


def test_a_texture_too_coarse_for_its_surface_is_a_texel_density_warning():
    # 64 x 64 pixels over the whole UV square, on a ramp of 1.02 m2: 63 pixels per metre.
    scene = centred_box_scene(texture_size=(64, 64))
    (finding,) = check_source(scene, None, previews(scene)).findings
    assert (finding.code, finding.level) == ("texel-density", "warning")
    assert finding.message == (
        "Part 1 ('oak') has 63 texture pixels per metre; 256-100,000 looks sharp without "
        "wasting memory. Use a larger texture or give the part more of the UV space."
    )


def test_a_texture_transform_scale_counts_in_the_texel_density():
    scene = centred_box_scene(texture_size=(64, 64))
    scene.materials[0]["pbrMetallicRoughness"]["baseColorTexture"]["extensions"] = {
        "KHR_texture_transform": {"scale": [8, 8]}
    }
    assert check_source(scene, None, previews(scene)).findings == []  # 507 px/m


def test_a_texture_far_too_fine_for_a_tiny_part_is_a_texel_density_warning():
    scene = centred_box_scene(texture_size=(4096, 4096))
    prim = scene.primitives[0]
    scene.primitives[0] = Primitive(prim.positions * 0.02, prim.indices, None, prim.uvs, 0)
    messages = [f.message for f in check_source(scene, None, previews(scene)).findings]
    assert any("202,802 texture pixels per metre" in m and "smaller texture" in m for m in messages)


def test_a_part_given_far_less_texture_than_the_others_is_reported_as_uneven():
    scene = centred_box_scene(texture_size=(1024, 1024))
    prim = scene.primitives[0]
    assert prim.uvs is not None
    squeezed = Primitive(prim.positions, prim.indices, None, prim.uvs * 0.1, 0)
    scene.primitives.append(squeezed)
    found = [(f.code, f.message) for f in check_source(scene, None, previews(scene)).findings]
    assert [code for code, _ in found] == ["texel-density", "texel-density-uneven"]
    assert found[1][1].startswith(
        "Part 2 ('oak') has 101 texture pixels per metre, the model's parts 558 in the middle:"
        " it looks blurrier than the rest."
    )


def test_dimensions_within_two_percent_pass_and_beyond_reject_with_the_sizes():
    scene = centred_box_scene()
    lo, hi = scene.bbox()
    size = (hi - lo).astype(float)
    assert check_source(scene, tuple(size * 1.019), previews(scene)).errors == []
    (error,) = check_source(scene, tuple(size * 1.5), previews(scene)).errors
    assert error.code == "dimensions"
    assert error.message.startswith(
        "The model measures 1.000 x 0.200 x 1.000 m (width x height x depth)"
    )
    assert "but the product is listed as 1.500 x 0.300 x 1.500 m: 33% off" in error.message


def test_an_stl_in_inches_uploaded_as_millimetres_is_rejected_naming_the_unit_to_use():
    path = SHARED_MODELS / "counter.stl"
    raw = import_model(path.read_bytes(), "c.stl", PipelineConfig(mesh_unit="m"))
    lo, hi = raw.bbox()
    x, y, z = (float(v) * 0.0254 for v in hi - lo)  # the part really is in inches
    product = (x, y, z)
    with pytest.raises(AssetRejected) as rejected:
        process_file(path, "counter-in", CONFIG, product_dimensions=product)  # default: mm
    assert "It matches if the file's unit is in, not mm: upload it with unit=in." in str(
        rejected.value
    )
    result = process_file(
        path, "counter-in", PipelineConfig(mesh_unit="in"), product_dimensions=product
    )
    assert result.manifest["check"]["passed"] is True
    assert result.manifest["source"]["unit"] == "in"


def test_the_origin_off_the_base_centre_is_a_warning_that_says_by_how_much():
    scene = centred_box_scene()
    scene.primitives[0].positions = scene.primitives[0].positions + np.float32(0.25)
    (finding,) = check_source(scene, None, previews(scene)).findings
    assert (finding.code, finding.level) == ("origin", "warning")
    assert "(x +25.0 cm, y (base) +25.0 cm, z +25.0 cm)" in finding.message


def test_a_texture_that_is_not_a_power_of_two_gets_a_warning_with_a_size_to_use():
    scene = centred_box_scene(texture_size=(1000, 600))
    (finding,) = check_source(scene, None, previews(scene)).findings
    assert finding.code == "texture-power-of-two"
    assert "is 1000x600 pixels: use power-of-two sizes (such as 1024x512)" in finding.message


def test_a_base_colour_outside_the_pbr_safe_range_is_a_warning():
    scene = centred_box_scene()
    scene.materials = [
        {
            "name": "ink",
            "pbrMetallicRoughness": {
                "baseColorFactor": [0.001, 0.001, 0.001, 1],
                "metallicFactor": 0,
            },
        }
    ]
    (finding,) = check_source(scene, None, []).findings
    assert (finding.code, finding.level) == ("base-colour-range", "warning")
    assert (
        "Material 'ink' has base colour [3, 3, 3] (sRGB); PBR-safe colours stay within 30-243"
        in finding.message
    )
    dark = centred_box_scene()
    dark.images = [SourceImage(png((5, 5, 5)), "image/png", "soot")]
    assert codes(check_source(dark, None, previews(dark))) == [("base-colour-range", "warning")]


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (512, 512), colour).save(out, format="PNG")
    return out.getvalue()


def test_textured_parts_without_uvs_or_with_collapsed_uvs_are_errors():
    missing = centred_box_scene(uvs=False)
    assert codes(check_source(missing, None, previews(missing))) == [("uvs-missing", "error")]
    collapsed = centred_box_scene()
    collapsed.primitives[0].uvs = np.zeros_like(collapsed.primitives[0].uvs)
    (error,) = check_source(collapsed, None, previews(collapsed)).errors
    assert error.message.startswith("Part 1 ('oak'): every triangle has zero UV area")


def test_an_upload_with_an_error_is_rejected_before_any_lod_is_built(tmp_path: Path):
    parts = GltfParts(8)
    parts.doc["images"] = [
        {"bufferView": parts.add_view(png((90, 90, 90))), "mimeType": "image/png"}
    ]
    parts.doc["textures"] = [{"source": 0}]
    parts.doc["materials"] = [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]
    parts.primitive["material"] = 0
    flat = np.zeros_like(parts.uvs)
    parts.primitive["attributes"]["TEXCOORD_0"] = parts.add_accessor(flat, "VEC2")
    path = tmp_path / "flat-uvs.glb"
    path.write_bytes(parts.glb())
    with pytest.raises(
        AssetRejected, match=r"^Part 1 \('material 1'\): every triangle has zero UV area"
    ):
        process_file(path, "flat-1", CONFIG)


def test_lod_budgets_and_the_ar_size_are_warnings():
    report = CheckReport()
    check_lod(report, "preview", 10_001, 1000)
    check_lod(report, "standard", 50_000, 6 * 1024 * 1024)
    check_lod(report, "high", 400_000, 1000)
    assert codes(report) == [("triangle-budget", "warning"), ("ar-size", "warning")]
    assert report.findings[0].message.startswith(
        "The preview level keeps 10,001 triangles (budget 10,000)"
    )


def test_the_usdz_takes_the_products_catalog_size(tmp_path: Path):
    from pxr import Usd, UsdGeom

    path = tmp_path / "chair.glb"
    path.write_bytes(GltfParts(8).glb())
    scene = import_model(path.read_bytes(), "chair.glb", CONFIG)
    lo, hi = scene.bbox()
    x, y, z = (float(v) * 1.015 for v in hi - lo)  # 1.5% larger: within the check
    product = (x, y, z)
    result = process_file(path, "chair-2", CONFIG, product_dimensions=product)
    assert result.manifest["check"]["passed"] is True
    usdz = tmp_path / "m.usdz"
    usdz.write_bytes(result.usdz or b"")
    stage = Usd.Stage.Open(str(usdz))
    bounds = UsdGeom.BBoxCache(0, ["default"]).ComputeWorldBound(stage.GetDefaultPrim())
    size = np.asarray(bounds.ComputeAlignedRange().GetSize())
    assert max(size) == pytest.approx(max(product), rel=1e-3)
