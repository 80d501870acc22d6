"""Encoding choices that trade time and memory: Draco's level by primitive size, and the heap
setting that lets freed arrays leave the process."""

from __future__ import annotations

from dataclasses import replace

from handlers.asset.config import DEFAULT_LODS, PipelineConfig
from handlers.asset.glb_write import build_glb
from handlers.asset.heap import return_large_blocks_to_os
from handlers.asset.pipeline import import_model
from handlers.asset.scene import Primitive, Scene
from tests.asset.gltf_factory import grid

HIGH = DEFAULT_LODS[-1]


def test_primitives_over_the_size_threshold_get_the_fast_draco_level():
    positions, uvs, indices = grid(60)
    scene = Scene([Primitive(positions, indices, None, uvs)])
    triangles = scene.triangle_count
    tight = replace(PipelineConfig(), draco_level=10, draco_fast_level=0)
    small = build_glb(scene, HIGH, replace(tight, draco_fast_above=triangles))
    large = build_glb(scene, HIGH, replace(tight, draco_fast_above=triangles - 1))
    fast = build_glb(scene, HIGH, replace(tight, draco_level=0))
    assert large.data == fast.data != small.data
    assert len(small.data) < len(large.data)
    for built in (small, large):
        assert import_model(built.data, "m.glb", PipelineConfig()).triangle_count == triangles


def test_large_blocks_return_to_the_os_on_glibc():
    # Debian's glibc has mallopt; the call is idempotent and process-wide.
    assert return_large_blocks_to_os() is True
    assert return_large_blocks_to_os() is True
