"""three.js draws the quantized meshopt preview as it draws the same LOD in Draco: the
storefront's own viewer code (storefront/poster.html: GLTFLoader with the lazy meshopt decoder,
KHR_mesh_quantization, the octahedral filter) in Debian's headless Chromium."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from handlers.asset.config import DEFAULT_LODS, PipelineConfig
from handlers.asset.pipeline import process_file
from handlers.asset.posters.render import render_png
from tests.asset.gltf_factory import SHARED_MODELS
from tests.asset.test_posters import VIEWER_CHECK_PX, silhouette_of_viewer

PREVIEW = DEFAULT_LODS[0].name
# Measured on the helmet: silhouettes 0.9996 alike, colours 1.1 of 255 apart on average where
# both cover the view (the Draco preview against the Draco standard LOD: 0.993 and 14.1).
MIN_IOU = 0.99
MAX_MEAN_DIFFERENCE = 3.0


def test_the_meshopt_preview_draws_the_picture_of_the_draco_preview(tmp_path: Path):
    model = SHARED_MODELS / "DamagedHelmet.glb"
    pictures = {}
    for compression in ("meshopt", "draco"):
        config = replace(PipelineConfig(), compression=compression)
        lod = next(o for o in process_file(model, "HELMET-1", config).lods if o.name == PREVIEW)
        assert lod.manifest_entry["compression"] == compression
        glb = tmp_path / f"{compression}.glb"
        glb.write_bytes(lod.data)
        png = render_png(glb, tmp_path / f"{compression}.png", VIEWER_CHECK_PX, "viewer", "cpu")
        pictures[compression] = (
            silhouette_of_viewer(png),
            np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int),
        )
    (mask, rgb), (draco_mask, draco_rgb) = pictures["meshopt"], pictures["draco"]
    assert 0.05 < mask.mean() < 0.9, f"{mask.mean():.3f} of the view covered"
    iou = (mask & draco_mask).sum() / max((mask | draco_mask).sum(), 1)
    both = mask & draco_mask
    difference = float(np.abs(rgb[both] - draco_rgb[both]).mean())
    colours = len({tuple(c) for c in rgb[both][::50].tolist()})
    print(f"IoU {iou:.4f}, mean difference {difference:.2f} of 255, {colours} colours")
    assert iou >= MIN_IOU
    assert difference <= MAX_MEAN_DIFFERENCE
    assert colours >= 100  # textured and lit, not a flat fill
