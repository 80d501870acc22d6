"""Draco encoding of one primitive, verified by decoding it back.

The decode gives the exact vertex count and attribute ids the glTF accessors must declare
(Draco may reorder or merge vertices), and proves the bytes are readable before publishing.
"""

from __future__ import annotations

from dataclasses import dataclass

import DracoPy
import numpy as np
from numpy.typing import NDArray

from handlers.asset.config import LodSpec
from handlers.asset.scene import Primitive

# Draco attribute types (draco/attributes/geometry_attribute.h) -> glTF attribute names.
DRACO_TYPES = {0: "POSITION", 1: "NORMAL", 3: "TEXCOORD_0"}
GENERIC = 4
# Carried as Draco generic attributes named after their glTF semantic (KHR_draco_mesh_compression
# maps any attribute by unique id; DracoPy takes one tex_coord and uint8-only colours).
GENERIC_ATTRIBUTES = ("TEXCOORD_1", "COLOR_0")


class DracoRefused(Exception):
    """Draco could not encode this primitive (e.g. all triangles degenerate)."""


@dataclass
class DracoPrimitive:
    data: bytes
    attribute_ids: dict[str, int]
    decoded: dict[str, NDArray[np.float32]]
    index_count: int


def encode_draco(prim: Primitive, spec: LodSpec, level: int) -> DracoPrimitive:
    faces = prim.indices.reshape(-1, 3)
    generic = {
        name: np.ascontiguousarray(values, dtype=np.float32)
        for name, values in (("TEXCOORD_1", prim.uvs1), ("COLOR_0", prim.colors))
        if values is not None
    }
    try:
        # DracoPy insists on float64 for normals and UVs.
        data = DracoPy.encode(
            prim.positions,
            faces,
            quantization_bits=spec.position_bits,
            compression_level=level,
            tex_coord=None if prim.uvs is None else prim.uvs.astype(np.float64),
            normals=None if prim.normals is None else prim.normals.astype(np.float64),
            tex_coord_quantization_bits=None if prim.uvs is None else spec.uv_bits,
            normal_quantization_bits=None if prim.normals is None else spec.normal_bits,
            generic_attributes=generic or None,
        )
        mesh = DracoPy.decode(data)
    except Exception as exc:  # DracoPy raises EncodingFailedException or AssertionError
        raise DracoRefused(str(exc)) from exc
    if mesh.faces is None or len(mesh.faces) == 0:
        raise DracoRefused("Draco output holds no faces")
    ids: dict[str, int] = {}
    decoded: dict[str, NDArray[np.float32]] = {}
    for attribute in mesh.attributes:
        kind = int(attribute["attribute_type"])
        name = attribute.get("name") if kind == GENERIC else DRACO_TYPES.get(kind)
        if isinstance(name, str) and (name in DRACO_TYPES.values() or name in GENERIC_ATTRIBUTES):
            ids[name] = int(attribute["unique_id"])
            values = np.asarray(attribute["data"], dtype=np.float32)
            decoded[name] = values.reshape(values.shape[0], -1)
    return DracoPrimitive(data, ids, decoded, int(np.asarray(mesh.faces).size))
