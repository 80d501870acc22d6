"""Small valid glTF documents for tests, built from numpy arrays; tests then break them."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import numpy as np

from handlers.asset.glb_write import pack_glb

# The real test models live beside the repository, never inside it (see PROVENANCE.md there):
# the nearest ancestor's shared/models (a worktree sits one level deeper than the checkout).
SHARED_MODELS = next(
    (
        parent / "shared" / "models"
        for parent in Path(__file__).resolve().parents
        if (parent / "shared" / "models").is_dir()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "models",
)


def grid(n: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A wavy n x n grid: positions, UVs, triangle indices (2 (n-1)^2 triangles)."""
    u, v = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n))
    z = 0.1 * np.sin(6 * u) * np.cos(4 * v)
    positions = np.column_stack([u.ravel(), v.ravel(), z.ravel()]).astype(np.float32)
    uvs = np.column_stack([u.ravel(), v.ravel()]).astype(np.float32)
    quads = [
        (r * n + c, r * n + c + 1, (r + 1) * n + c, (r + 1) * n + c + 1)
        for r in range(n - 1)
        for c in range(n - 1)
    ]
    tris = [t for a, b, c, d in quads for t in ((a, c, b), (b, c, d))]
    return positions, uvs, np.asarray(tris, dtype=np.uint32).reshape(-1)


class GltfParts:
    """A document plus its binary buffer; `glb()` packs it, `gltf()` embeds it as data: URI."""

    def __init__(self, n: int = 8) -> None:
        positions, uvs, indices = grid(n)
        self.positions, self.uvs, self.indices = positions, uvs, indices
        self.binary = bytearray()
        self.doc: dict[str, Any] = {
            "asset": {"version": "2.0"},
            "scene": 0,
            "scenes": [{"nodes": [0]}],
            "nodes": [{"mesh": 0}],
            "meshes": [{"primitives": [{"attributes": {}, "mode": 4}]}],
            "accessors": [],
            "bufferViews": [],
            "buffers": [],
        }
        prim = self.doc["meshes"][0]["primitives"][0]
        prim["attributes"]["POSITION"] = self.add_accessor(positions, "VEC3", bounds=True)
        prim["attributes"]["TEXCOORD_0"] = self.add_accessor(uvs, "VEC2")
        prim["indices"] = self.add_accessor(indices, "SCALAR")

    def add_view(self, data: bytes, stride: int | None = None) -> int:
        self.binary.extend(b"\0" * (-len(self.binary) % 4))
        view: dict[str, Any] = {
            "buffer": 0,
            "byteOffset": len(self.binary),
            "byteLength": len(data),
        }
        if stride:
            view["byteStride"] = stride
        self.binary.extend(data)
        self.doc["bufferViews"].append(view)
        return len(self.doc["bufferViews"]) - 1

    def add_accessor(
        self, values: np.ndarray, kind: str, bounds: bool = False, **extra: Any
    ) -> int:
        ctype = {
            np.dtype(np.float32): 5126,
            np.dtype(np.uint32): 5125,
            np.dtype(np.uint16): 5123,
            np.dtype(np.uint8): 5121,
            np.dtype(np.int16): 5122,
            np.dtype(np.int8): 5120,
        }[values.dtype]
        acc: dict[str, Any] = {
            "bufferView": self.add_view(values.tobytes()),
            "componentType": ctype,
            "count": int(values.shape[0]),
            "type": kind,
            **extra,
        }
        if bounds:
            acc["min"] = values.min(axis=0).tolist()
            acc["max"] = values.max(axis=0).tolist()
        self.doc["accessors"].append(acc)
        return len(self.doc["accessors"]) - 1

    @property
    def primitive(self) -> dict[str, Any]:
        primitive: dict[str, Any] = self.doc["meshes"][0]["primitives"][0]
        return primitive

    def glb(self) -> bytes:
        doc = copy.deepcopy(self.doc)
        doc["buffers"] = [{"byteLength": len(self.binary)}]
        return pack_glb(doc, bytes(self.binary))

    def gltf(self, uri: str | None = None) -> bytes:
        doc = copy.deepcopy(self.doc)
        payload = base64.b64encode(bytes(self.binary)).decode()
        doc["buffers"] = [
            {
                "byteLength": len(self.binary),
                "uri": uri or f"data:application/octet-stream;base64,{payload}",
            }
        ]
        return json.dumps(doc).encode()
