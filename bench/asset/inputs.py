"""Benchmark inputs as plain GLB files, so every tool reads the same bytes.

Non-glTF models are written uncompressed through our own GLB writer (no simplification);
the ~4.3M-triangle input is igea.ply subdivided twice (Loop), cached because it takes a
minute or more to build.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from handlers.asset.config import DEFAULT_LODS, PipelineConfig
from handlers.asset.glb_write import build_glb
from handlers.asset.pipeline import import_model
from handlers.asset.scene import Primitive, Scene

REPO = Path(__file__).resolve().parents[2]
# The sample models sit beside the repository; SHOP3D_MODELS_DIR points elsewhere (a worktree).
MODELS = Path(os.environ.get("SHOP3D_MODELS_DIR") or REPO.parent / "shared" / "models")
WORK = REPO / ".local" / "bench-asset"
PLAIN = replace(PipelineConfig(), compression="none")


def as_glb(scene: Scene, target: Path) -> Path:
    spec = replace(DEFAULT_LODS[-1], texture_max_px=None)
    target.write_bytes(build_glb(scene, spec, PLAIN).data)
    return target


def model_input(name: str) -> Path:
    source = MODELS / name
    if source.suffix == ".glb":
        return source
    target = WORK / f"{source.stem}.glb"
    if not target.exists():
        as_glb(import_model(source.read_bytes(), name, PipelineConfig()), target)
    return target


def big_input() -> Path:
    """igea.ply with two Loop subdivisions: about 4.3M triangles."""
    target = WORK / "igea_x2.glb"
    if not target.exists():
        import trimesh

        mesh = trimesh.load_mesh(MODELS / "igea.ply")
        vertices, faces = trimesh.remesh.subdivide_loop(mesh.vertices, mesh.faces, iterations=2)
        prim = Primitive(np.asarray(vertices, np.float32), np.asarray(faces, np.uint32).reshape(-1))
        as_glb(Scene([prim]), target)
    return target


def read_mesh(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """All triangles of a GLB (any tool's output) as one vertex/face array, in world space."""
    scene = import_model(path.read_bytes(), path.name, PipelineConfig())
    vertices, faces, offset = [], [], 0
    for prim in scene.primitives:
        vertices.append(prim.positions.astype(np.float64))
        faces.append(prim.indices.reshape(-1, 3).astype(np.int64) + offset)
        offset += prim.positions.shape[0]
    return np.concatenate(vertices), np.concatenate(faces)
