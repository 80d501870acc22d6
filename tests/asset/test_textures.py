"""Textures: one decode per texture for all LODs, sizes per LOD, colour profile kept, and no
decoded image outliving the model it belongs to."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms

from handlers.asset import textures
from handlers.asset.config import PipelineConfig
from handlers.asset.errors import AssetRejected
from handlers.asset.pipeline import encode_textures, import_model
from tests.asset.gltf_factory import SHARED_MODELS

QUALITY = PipelineConfig().webp_quality


def png(width: int, height: int, mode: str = "RGB", **info: bytes) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "red" if mode != "LA" else (128, 200)).save(
        out, format="PNG", **info
    )
    return out.getvalue()


def sizes_of(webps: list[bytes]) -> list[tuple[int, int]]:
    found = []
    for data in webps:
        with Image.open(io.BytesIO(data)) as img:
            assert img.format == "WEBP"
            found.append(img.size)
    return found


def test_each_size_is_fitted_and_sizes_the_image_fits_share_one_encode():
    webps = textures.encode_webp_sizes(png(600, 300), [256, 1024, None], QUALITY)
    assert sizes_of(webps) == [(256, 128), (600, 300), (600, 300)]
    assert webps[1] is webps[2]


def test_grey_with_alpha_keeps_its_alpha_and_the_icc_profile_is_copied():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    (webp,) = textures.encode_webp_sizes(png(64, 64, "LA", icc_profile=profile), [None], QUALITY)
    with Image.open(io.BytesIO(webp)) as img:
        assert img.mode == "RGBA"
        assert img.info.get("icc_profile") == profile


def test_an_undecodable_texture_is_rejected_with_the_reason():
    with pytest.raises(AssetRejected, match="a texture could not be decoded"):
        textures.encode_webp_sizes(b"\x89PNG\r\n\x1a\nnot really", [256], QUALITY)


def test_every_texture_of_a_model_is_decoded_once_for_all_lods(monkeypatch):
    config = PipelineConfig()
    scene = import_model((SHARED_MODELS / "DamagedHelmet.glb").read_bytes(), "h.glb", config)
    decoded: list[Image.Image] = []
    real = textures._decoded

    def counting(data: bytes) -> Image.Image:
        decoded.append(real(data))
        return decoded[-1]

    monkeypatch.setattr(textures, "_decoded", counting)
    per_lod = encode_textures(scene, config)
    assert len(decoded) == len(scene.images) == 5
    assert list(per_lod) == [spec.name for spec in config.lods]
    for spec in config.lods:
        assert len(per_lod[spec.name]) == len(scene.images)
        for width, height in sizes_of(per_lod[spec.name]):
            assert max(width, height) == (spec.texture_max_px or 2048)
    encode_textures(scene, config)  # a second model decodes again: nothing is cached
    assert len(decoded) == 2 * len(scene.images)
