"""The USDZ of the standard LOD (AR Quick Look): OpenUSD's validation framework, every
registered validator (pxr.UsdValidation; usd-core 26.x has no ComplianceChecker), reports no
error; metres, upAxis Y, UsdPreviewSurface materials with their textures in the package."""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path

import numpy as np
import pytest

from handlers.asset.config import PipelineConfig
from handlers.asset.pipeline import PipelineResult, process_file
from tests.asset.gltf_factory import SHARED_MODELS, commerce_parts

CONFIG = PipelineConfig()
SCRATCH = Path("/tmp/shop3d-asset-usdz")


@functools.cache
def processed(name: str) -> PipelineResult:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    if name == "chair.glb":
        path = SCRATCH / name
        path.write_bytes(commerce_parts().glb())
    else:
        path = SHARED_MODELS / name
    return process_file(path, "sku-ar", CONFIG)


def opened(name: str):  # -> tuple[Usd.Stage, Path]
    from pxr import Usd

    result = processed(name)
    assert result.usdz is not None
    path = SCRATCH / f"{name}.usdz"
    path.write_bytes(result.usdz)
    stage = Usd.Stage.Open(str(path))
    assert stage is not None
    return stage, path


MODELS = ["DamagedHelmet.glb", "chair.glb", "counter.stl", "beast.obj"]


@pytest.mark.parametrize("name", MODELS)
def test_every_registered_usd_validator_reports_no_error(name):
    from pxr import UsdValidation

    stage, _ = opened(name)
    validators = UsdValidation.ValidationRegistry().GetOrLoadAllValidators()
    assert len(validators) >= 20  # usd-core 26.11 registers 30 (geom, shade, utils, ...)
    issues = UsdValidation.ValidationContext(validators).Validate(stage)
    errors = [
        f"{e.GetName()}: {e.GetMessage()}"
        for e in issues
        if e.GetType() == UsdValidation.ValidationErrorType.Error
    ]
    assert errors == []


@pytest.mark.parametrize("name", MODELS)
def test_the_usdz_is_in_metres_y_up_at_the_standard_lods_size(name):
    from pxr import UsdGeom

    stage, _ = opened(name)
    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.y
    assert UsdGeom.GetStageMetersPerUnit(stage) == 1.0
    bounds = UsdGeom.BBoxCache(0, ["default"]).ComputeWorldBound(stage.GetDefaultPrim())
    size = np.asarray(bounds.ComputeAlignedRange().GetSize())
    manifest = processed(name).manifest
    assert size == pytest.approx(manifest["dimensions_m"], rel=0.01, abs=1e-4)
    assert manifest["ar"]["usdz"]["bytes"] == len(processed(name).usdz or b"")
    assert manifest["ar"]["usdz"]["content_type"] == "model/vnd.usdz+zip"


def test_helmet_materials_are_preview_surfaces_with_packaged_textures():
    from pxr import UsdShade

    stage, path = opened("DamagedHelmet.glb")
    shaders = [UsdShade.Shader(p) for p in stage.Traverse() if p.GetTypeName() == "Shader"]
    ids = sorted({s.GetIdAttr().Get() for s in shaders})
    assert ids == ["UsdPreviewSurface", "UsdPrimvarReader_float2", "UsdUVTexture"]
    files = {str(s.GetInput("file").Get().path) for s in shaders if s.GetInput("file")}
    packaged = set(zipfile.ZipFile(path).namelist())
    assert {f.removeprefix("./") for f in files} <= packaged
    assert len(files) == 5  # base colour, metal-rough, normal, occlusion, emissive
    surface = next(s for s in shaders if s.GetIdAttr().Get() == "UsdPreviewSurface")
    for name in ("diffuseColor", "normal", "roughness", "metallic", "occlusion", "emissiveColor"):
        assert surface.GetInput(name).HasConnectedSource(), name
