"""Small valid glTF documents for tests, built from numpy arrays; tests then break them."""

from __future__ import annotations

import base64
import copy
import io
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


def png_bytes(colour: tuple[int, int, int], size: int = 8) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, format="PNG")
    return out.getvalue()


LAMP_ROTATION = [0.0, 0.38268343, 0.0, 0.92387953]  # 45 degrees about Y


def commerce_parts() -> GltfParts:
    """A chair that uses what a shop must keep: two UV sets (an occlusion map and a
    KHR_texture_transform on texCoord 1) and vertex colours, a mirrored copy, three GPU
    instances, a light, two colour variants, attribution, names, a camera (dropped), and two
    byte-identical images plus an unused one."""
    parts = GltfParts(8)
    prim = parts.primitive
    prim["attributes"]["TEXCOORD_1"] = parts.add_accessor(parts.uvs * 0.5, "VEC2")
    colours = np.column_stack(
        [parts.uvs, np.full((parts.uvs.shape[0], 2), 0.5, np.float32)]
    ).astype(np.float32)
    prim["attributes"]["COLOR_0"] = parts.add_accessor(colours, "VEC4")
    # the grid winds towards -Z (see grid), so its normals point there
    normals = np.tile(np.asarray([[0, 0, -1]], np.float32), (parts.positions.shape[0], 1))
    prim["attributes"]["NORMAL"] = parts.add_accessor(normals, "VEC3")
    prim["material"] = 0
    prim["extensions"] = {
        "KHR_materials_variants": {
            "mappings": [{"material": 0, "variants": [0]}, {"material": 1, "variants": [1]}]
        }
    }
    parts.doc["meshes"][0]["name"] = "seat"
    red = png_bytes((200, 30, 30))
    images = []
    for data in (red, red, png_bytes((0, 0, 255))):
        images.append({"bufferView": parts.add_view(data), "mimeType": "image/png"})
    parts.doc["images"] = images
    parts.doc["textures"] = [{"source": 0}, {"source": 1}, {"source": 2}]
    parts.doc["materials"] = [
        {
            "name": "fabric",
            "doubleSided": True,  # the grid is a sheet: seen from either side in the viewer
            "pbrMetallicRoughness": {
                "baseColorTexture": {
                    "index": 0,
                    "extensions": {"KHR_texture_transform": {"texCoord": 1, "scale": [2, 2]}},
                }
            },
            "occlusionTexture": {"index": 1, "texCoord": 1},
        },
        {
            "name": "leather",
            "doubleSided": True,
            "pbrMetallicRoughness": {"baseColorFactor": [0.2, 0.1, 0.05, 1]},
        },
    ]
    translations = np.asarray([[0, 0, -2], [1, 0, -2], [2, 0, -2]], np.float32)
    parts.doc["nodes"] = [
        {"name": "chair", "children": [1, 2, 3, 4]},
        {"name": "left", "mesh": 0},
        {"name": "right", "mesh": 0, "scale": [-1, 1, 1], "translation": [3, 0, 0]},
        {
            "name": "lamp",
            "translation": [0, 2, 0],
            "rotation": LAMP_ROTATION,
            "extensions": {"KHR_lights_punctual": {"light": 0}},
        },
        {
            "name": "legs",
            "mesh": 0,
            "extensions": {
                "EXT_mesh_gpu_instancing": {
                    "attributes": {"TRANSLATION": parts.add_accessor(translations, "VEC3")}
                }
            },
        },
        {"name": "camera", "camera": 0},
    ]
    parts.doc["scenes"] = [{"nodes": [0]}]
    parts.doc["cameras"] = [{"type": "perspective", "perspective": {"yfov": 0.8, "znear": 0.1}}]
    parts.doc["asset"]["copyright"] = "2026 Jane Maker, CC BY 4.0"
    parts.doc["asset"]["extras"] = {"author": "Jane Maker", "license": "CC-BY-4.0"}
    parts.doc["extensions"] = {
        "KHR_materials_variants": {"variants": [{"name": "Red fabric"}, {"name": "Leather"}]},
        "KHR_lights_punctual": {"lights": [{"type": "spot", "intensity": 5, "spot": {}}]},
    }
    parts.doc["extensionsUsed"] = [
        "KHR_materials_variants",
        "KHR_lights_punctual",
        "KHR_texture_transform",
        "EXT_mesh_gpu_instancing",
    ]
    return parts
