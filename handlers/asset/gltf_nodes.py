"""The node tree: which meshes are drawn and with which world transform.

The glTF node graph must be a forest (no cycles, one parent per node); a cycle would make a
naive walker loop forever, so it is refused with the node named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handlers.asset import gltf_fields as f
from handlers.asset.config import AssetLimits
from handlers.asset.errors import AssetRejected
from handlers.asset.scene import SceneNode

F64 = NDArray[np.float64]
INSTANCING = "EXT_mesh_gpu_instancing"
LIGHTS = "KHR_lights_punctual"


@dataclass
class MeshInstance:
    mesh: int
    matrix: F64  # 4x4 world transform
    node: int = 0  # the published node (index into NodeTree.nodes) that draws it
    # EXT_mesh_gpu_instancing attributes of the node (accessor indices), expanded on read.
    instancing: dict[str, Any] | None = None

    @property
    def mirrored(self) -> bool:
        """A negative determinant turns the triangles inside out: their winding must flip
        (glTF 2.0, 3.7.4: a renderer flips it for a mirrored node; baked, we must)."""
        return bool(np.linalg.det(self.matrix[:3, :3]) < 0)

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
    try:
        t = np.asarray(node.get("translation", [0, 0, 0]), dtype=np.float64)
        q = np.asarray(node.get("rotation", [0, 0, 0, 1]), dtype=np.float64)
        s = np.asarray(node.get("scale", [1, 1, 1]), dtype=np.float64)
    except (TypeError, ValueError):
        raise AssetRejected(f"{what}: translation, rotation and scale must be numbers") from None
    if t.shape != (3,) or s.shape != (3,) or q.shape != (4,):
        raise AssetRejected(f"{what}: translation and scale must be 3 numbers, rotation 4")
    return trs_matrix(t, q, s, what)


def trs_matrix(t: F64, q: F64, s: F64, what: str) -> F64:
    x, y, z, w = q
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
    children = {c for n in nodes if isinstance(n, dict) for c in f.array(n, "children")}
    return [i for i in range(len(nodes)) if i not in children]


@dataclass
class NodeTree:
    """What the scene draws (mesh instances in world space) and the hierarchy to publish."""

    instances: list[MeshInstance]
    nodes: list[SceneNode]
    roots: list[int]
    source_nodes: list[int] = field(default_factory=list)  # published index -> source index


def mesh_instances(doc: dict[str, Any], limits: AssetLimits) -> NodeTree:
    """Every drawn mesh with its world matrix, walking the scene's node forest; the nodes the
    scene reaches are published in visiting order with their names and children."""
    nodes = f.array(doc, "nodes")
    if len(nodes) > limits.max_nodes:
        raise AssetRejected(f"model has {len(nodes)} nodes; the limit is {limits.max_nodes}")
    meshes = f.array(doc, "meshes")
    parent_of: dict[int, int | None] = {}
    published: dict[int, int] = {}
    tree = NodeTree([], [], [])
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
        published[idx] = len(tree.nodes)
        tree.source_nodes.append(idx)
        out_node = SceneNode(name=node.get("name") if isinstance(node.get("name"), str) else None)
        tree.nodes.append(out_node)
        if parent is None:
            tree.roots.append(published[idx])
        else:
            tree.nodes[published[parent]].children.append(published[idx])
        raw_extensions = node.get("extensions")
        extensions: dict[str, Any] = raw_extensions if isinstance(raw_extensions, dict) else {}
        lights = extensions.get(LIGHTS)
        light = lights.get("light") if isinstance(lights, dict) else None
        if isinstance(light, int):
            out_node.light, out_node.light_matrix = light, world
        if "mesh" in node:
            mesh = f.index(node["mesh"], len(meshes), f"nodes[{idx}].mesh")
            name = meshes[mesh].get("name") if isinstance(meshes[mesh], dict) else None
            out_node.mesh_name = name if isinstance(name, str) else None
            instancing = extensions.get(INSTANCING)
            tree.instances.append(
                MeshInstance(
                    mesh,
                    world,
                    published[idx],
                    f.obj(instancing, f"nodes[{idx}].{INSTANCING}") if instancing else None,
                )
            )
        children = node.get("children", [])
        if not isinstance(children, list):
            raise AssetRejected(f"nodes[{idx}].children must be an array")
        for child in reversed(children):
            stack.append((f.index(child, len(nodes), f"nodes[{idx}].children[]"), world, idx))
    return tree


def instance_count(doc: dict[str, Any], instancing: dict[str, Any], what: str) -> int:
    """How many instances EXT_mesh_gpu_instancing declares (its accessors' common count)."""
    attributes = f.obj(instancing.get("attributes"), f"{what}.attributes")
    counts = {
        f.natural(f.item(doc, "accessors", a, f"{what}.attributes.{n}").get("count"), n)
        for n, a in attributes.items()
    }
    if len(counts) != 1:
        raise AssetRejected(f"{what}: instance attributes must all have one count, got {counts}")
    return counts.pop()


def expand_instances(
    doc: dict[str, Any], tree: NodeTree, read: Any, limits: AssetLimits
) -> list[MeshInstance]:
    """Each EXT_mesh_gpu_instancing node as one MeshInstance per instance (its TRS applied
    before the node's world transform, as the extension specifies), so every copy is drawn."""
    out: list[MeshInstance] = []
    for inst in tree.instances:
        if inst.instancing is None:
            out.append(inst)
            continue
        what = f"nodes[{tree.source_nodes[inst.node]}].extensions.{INSTANCING}"
        count = instance_count(doc, inst.instancing, what)
        if count > limits.max_nodes:
            raise AssetRejected(f"{what} has {count} instances; the limit is {limits.max_nodes}")
        attributes = inst.instancing["attributes"]
        t, r, s = (
            instance_column(attributes, name, default, count, read, what)
            for name, default in (
                ("TRANSLATION", [0.0, 0.0, 0.0]),
                ("ROTATION", [0.0, 0.0, 0.0, 1.0]),
                ("SCALE", [1.0, 1.0, 1.0]),
            )
        )
        for i in range(count):
            local = trs_matrix(t[i], r[i], s[i], f"{what} instance {i}")
            out.append(MeshInstance(inst.mesh, inst.matrix @ local, inst.node))
    return out


def revisit_reason(idx: int, parent: int | None, parent_of: dict[int, int | None]) -> str:
    """Why a node was reached twice: it is its own ancestor (a cycle) or has two parents."""
    walker = parent
    while walker is not None:
        if walker == idx:
            return f"node graph has a cycle through nodes[{idx}]"
        walker = parent_of.get(walker)
    return f"nodes[{idx}] has more than one parent; glTF nodes must form a tree"


def instance_column(
    attributes: dict[str, Any], name: str, default: list[float], count: int, read: Any, what: str
) -> F64:
    """One EXT_mesh_gpu_instancing attribute for every instance (its default where absent)."""
    if name not in attributes:
        return np.tile(np.asarray(default, dtype=np.float64), (count, 1))
    values: F64 = np.asarray(read(attributes[name], f"{what}.{name}"), dtype=np.float64)
    if values.shape != (count, len(default)):
        raise AssetRejected(f"{what}.{name} must hold {count} values of {len(default)} numbers")
    return values
