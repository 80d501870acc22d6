"""The node tree: which meshes are drawn and with which world transform.

The glTF node graph must be a forest (no cycles, one parent per node); a cycle would make a
naive walker loop forever, so it is refused with the node named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handlers.asset import gltf_fields as f
from handlers.asset.config import AssetLimits
from handlers.asset.errors import AssetRejected

F64 = NDArray[np.float64]


@dataclass
class MeshInstance:
    mesh: int
    matrix: F64  # 4x4 world transform

    def transform_points(self, points: NDArray[np.float32]) -> NDArray[np.float32]:
        if np.array_equal(self.matrix, np.eye(4)):
            return points
        out = points.astype(np.float64) @ self.matrix[:3, :3].T + self.matrix[:3, 3]
        return out.astype(np.float32)

    def transform_normals(self, normals: NDArray[np.float32]) -> NDArray[np.float32]:
        if np.array_equal(self.matrix, np.eye(4)):
            return normals
        inverse_t = np.linalg.inv(self.matrix[:3, :3]).T
        out = normals.astype(np.float64) @ inverse_t.T
        length = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(length > 0, length, 1.0)).astype(np.float32)


def local_matrix(node: dict[str, Any], what: str) -> F64:
    if "matrix" in node:
        values = node["matrix"]
        if not isinstance(values, list) or len(values) != 16:
            raise AssetRejected(f"{what}.matrix must be 16 numbers")
        return np.asarray(values, dtype=np.float64).reshape(4, 4).T  # glTF is column-major
    t = np.asarray(node.get("translation", [0, 0, 0]), dtype=np.float64)
    x, y, z, w = np.asarray(node.get("rotation", [0, 0, 0, 1]), dtype=np.float64)
    s = np.asarray(node.get("scale", [1, 1, 1]), dtype=np.float64)
    if t.shape != (3,) or s.shape != (3,):
        raise AssetRejected(f"{what}: translation and scale must be 3 numbers")
    rotation = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )
    matrix = np.eye(4)
    matrix[:3, :3] = rotation * s
    matrix[:3, 3] = t
    if not np.isfinite(matrix).all():
        raise AssetRejected(f"{what} has a NaN or infinite transform")
    return matrix


def root_nodes(doc: dict[str, Any]) -> list[int]:
    nodes = f.array(doc, "nodes")
    scenes = f.array(doc, "scenes")
    if scenes:
        scene = f.item(doc, "scenes", doc.get("scene", 0), "scene")
        return [f.index(n, len(nodes), "scene.nodes[]") for n in f.array(scene, "nodes")]
    children = {c for n in nodes if isinstance(n, dict) for c in n.get("children", [])}
    return [i for i in range(len(nodes)) if i not in children]


def mesh_instances(doc: dict[str, Any], limits: AssetLimits) -> list[MeshInstance]:
    """Every drawn mesh with its world matrix, walking the scene's node forest."""
    nodes = f.array(doc, "nodes")
    if len(nodes) > limits.max_nodes:
        raise AssetRejected(f"model has {len(nodes)} nodes; the limit is {limits.max_nodes}")
    meshes = f.array(doc, "meshes")
    parent_of: dict[int, int | None] = {}
    out: list[MeshInstance] = []
    stack: list[tuple[int, F64, int | None]] = [
        (r, np.eye(4), None) for r in reversed(root_nodes(doc))
    ]
    while stack:
        idx, parent_matrix, parent = stack.pop()
        if idx in parent_of:
            raise AssetRejected(revisit_reason(idx, parent, parent_of))
        parent_of[idx] = parent
        node = f.obj(nodes[idx], f"nodes[{idx}]")
        world = parent_matrix @ local_matrix(node, f"nodes[{idx}]")
        if "mesh" in node:
            out.append(
                MeshInstance(f.index(node["mesh"], len(meshes), f"nodes[{idx}].mesh"), world)
            )
        children = node.get("children", [])
        if not isinstance(children, list):
            raise AssetRejected(f"nodes[{idx}].children must be an array")
        for child in reversed(children):
            stack.append((f.index(child, len(nodes), f"nodes[{idx}].children[]"), world, idx))
    return out


def revisit_reason(idx: int, parent: int | None, parent_of: dict[int, int | None]) -> str:
    """Why a node was reached twice: it is its own ancestor (a cycle) or has two parents."""
    walker = parent
    while walker is not None:
        if walker == idx:
            return f"node graph has a cycle through nodes[{idx}]"
        walker = parent_of.get(walker)
    return f"nodes[{idx}] has more than one parent; glTF nodes must form a tree"
