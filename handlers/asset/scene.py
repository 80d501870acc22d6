"""The in-memory model every importer produces and every LOD is built from."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
U32 = NDArray[np.uint32]


@dataclass
class Primitive:
    """One triangle list in world space (node transforms already applied)."""

    positions: F32  # (n, 3)
    indices: U32  # (3 * triangles,)
    normals: F32 | None = None  # (n, 3)
    uvs: F32 | None = None  # (n, 2), TEXCOORD_0
    material: int | None = None
    uvs1: F32 | None = None  # (n, 2), TEXCOORD_1 (lightmaps, detail maps; texCoord: 1)
    colors: F32 | None = None  # (n, 4), COLOR_0 as linear RGBA floats
    node: int = 0  # the Scene.nodes entry that draws it
    # KHR_materials_variants: [{"material": m, "variants": [v, ...]}, ...] (indices as uploaded)
    variant_mappings: list[dict[str, Any]] | None = None

    @property
    def triangle_count(self) -> int:
        return int(self.indices.size // 3)


@dataclass
class SourceImage:
    """An image as uploaded: bytes passed through untouched until texture encoding."""

    data: bytes
    mime_type: str
    name: str | None = None


@dataclass
class SceneNode:
    """A node of the published hierarchy. Transforms are baked into the primitives (world
    space), so published nodes keep names and parent/child structure with identity transforms;
    a light keeps its world placement (`light_matrix`) on a child node of its own."""

    name: str | None = None
    children: list[int] = field(default_factory=list)
    mesh_name: str | None = None
    light: int | None = None  # index into the root KHR_lights_punctual lights
    light_matrix: NDArray[np.float64] | None = None


@dataclass
class Dropped:
    """Something of the upload that is not published, told to the seller in the manifest."""

    what: str
    why: str


@dataclass
class Scene:
    primitives: list[Primitive]
    # glTF material, texture and sampler objects, carried as JSON (texture "source" indexes
    # `images`).
    materials: list[dict[str, Any]] = field(default_factory=list)
    textures: list[dict[str, Any]] = field(default_factory=list)
    samplers: list[dict[str, Any]] = field(default_factory=list)
    images: list[SourceImage] = field(default_factory=list)
    nodes: list[SceneNode] = field(default_factory=lambda: [SceneNode()])
    roots: list[int] = field(default_factory=lambda: [0])
    # asset.copyright / asset.extras (attribution, licence) and root extensions that are
    # carried over as uploaded (KHR_materials_variants' variant list, KHR_lights_punctual).
    asset: dict[str, Any] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    source_unit: str = "m"  # the unit the upload's coordinates were in (now metres)

    def with_primitives(self, primitives: list[Primitive]) -> Scene:
        """The same model (materials, nodes, attribution) drawn with other primitives."""
        return replace(self, primitives=primitives)

    @property
    def triangle_count(self) -> int:
        return sum(p.triangle_count for p in self.primitives)

    @property
    def vertex_count(self) -> int:
        return sum(int(p.positions.shape[0]) for p in self.primitives)

    def bbox(self) -> tuple[F32, F32]:
        """Axis-aligned bounds of the vertices the triangles use."""
        used = [used_positions(p) for p in self.primitives if p.indices.size]
        mins = [u.min(axis=0) for u in used if u.size]
        maxs = [u.max(axis=0) for u in used if u.size]
        if not mins:
            zero = np.zeros(3, dtype=np.float32)
            return zero, zero
        return np.min(mins, axis=0).astype(np.float32), np.max(maxs, axis=0).astype(np.float32)

    def diagonal(self) -> float:
        lo, hi = self.bbox()
        return float(np.linalg.norm(hi.astype(np.float64) - lo))

    def extent(self) -> float:
        """The longest side of the bounding box: the scale LOD errors are fractions of (as in
        meshoptimizer's relative errors and gltf-transform's --simplify-error)."""
        lo, hi = self.bbox()
        return float(np.max(hi.astype(np.float64) - lo))


def used_positions(primitive: Primitive) -> F32:
    """The positions the triangles reference (a mask, not a gather: no 3x-sized copy)."""
    mask = np.zeros(primitive.positions.shape[0], dtype=bool)
    mask[primitive.indices] = True
    return primitive.positions[mask]
