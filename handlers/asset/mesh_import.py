"""OBJ, STL and PLY -> Scene through trimesh (imported lazily: it is only the parser here).

Declared counts are read from the headers (PLY element counts, the binary STL triangle count,
OBJ face lines) and checked against the limits before trimesh parses anything. A PLY whose
faces are stored as triangle strips is converted here: trimesh would load it as zero faces.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handlers.asset.config import AssetLimits
from handlers.asset.errors import AssetRejected
from handlers.asset.scene import Dropped, Primitive, Scene, SourceImage

MESH_FORMATS = ("obj", "stl", "ply")
# Metres per unit. Defaults: STL is a CAD format whose coordinates are millimetres by
# convention (STL itself carries no unit); OBJ and PLY scans are taken as metres.
UNIT_METRES: dict[str, float] = {"m": 1.0, "cm": 0.01, "mm": 0.001, "in": 0.0254, "ft": 0.3048}
DEFAULT_UNITS: dict[str, str] = {"stl": "mm", "obj": "m", "ply": "m"}
MTLLIB = re.compile(rb"^\s*mtllib\s", re.MULTILINE)
PLY_ELEMENT = re.compile(rb"^element\s+(\S+)\s+(\d+)\s*$", re.MULTILINE)


def import_mesh(
    data: bytes,
    file_type: str,
    limits: AssetLimits,
    unit: str | None = None,
    base_dir: Path | None = None,
) -> Scene:
    """`unit`: what one coordinate of the file means (default per format, `DEFAULT_UNITS`);
    positions are scaled to metres. `base_dir`: where an OBJ's MTL file and its textures are."""
    if file_type not in MESH_FORMATS:
        raise AssetRejected(f"file type {file_type!r} is not supported; allowed: {MESH_FORMATS}")
    unit = unit or DEFAULT_UNITS[file_type]
    if unit not in UNIT_METRES:
        raise AssetRejected(
            f"unit {unit!r} is not known; allowed: {', '.join(UNIT_METRES)} "
            f"(default for {file_type.upper()}: {DEFAULT_UNITS[file_type]})"
        )
    check_declared(data, file_type, limits)
    if file_type == "ply" and b"element tristrips" in data[: data.find(b"end_header")]:
        scene = Scene(primitives=[ply_strip_primitive(data)])
    elif file_type == "obj":
        scene = obj_scene(data, base_dir)
    else:
        scene = Scene(primitives=[mesh_primitive(parse_mesh(data, file_type), file_type)])
    scale = np.float32(UNIT_METRES[unit])
    for prim in scene.primitives:
        prim.positions = prim.positions * scale if scale != 1 else prim.positions
    scene.source_unit = unit
    return scene


def parse_mesh(data: bytes, file_type: str) -> Any:
    import trimesh  # lazily: the Lambda imports handlers without paying for trimesh

    try:
        loaded = trimesh.load_mesh(io.BytesIO(data), file_type=file_type, process=True)
    except Exception as exc:  # trimesh raises many unrelated types on malformed files
        raise AssetRejected(f"{file_type.upper()} file could not be parsed ({exc})") from None
    if isinstance(loaded, list) or not hasattr(loaded, "faces"):
        raise AssetRejected(f"{file_type.upper()} file holds no triangle mesh")
    return loaded


def mesh_primitive(loaded: Any, file_type: str, material: int | None = None) -> Primitive:
    positions = np.ascontiguousarray(loaded.vertices, dtype=np.float32)
    indices = np.ascontiguousarray(loaded.faces, dtype=np.uint32).reshape(-1)
    if indices.size == 0:
        raise AssetRejected(f"{file_type.upper()} file has vertices but no faces")
    if not np.isfinite(positions).all():
        raise AssetRejected(f"{file_type.upper()} file has NaN or infinite vertex positions")
    uvs = getattr(getattr(loaded, "visual", None), "uv", None)
    uv_array = None
    if uvs is not None and len(uvs) == positions.shape[0]:
        # OBJ's v runs down, glTF's runs down from the top: flip.
        uv_array = np.column_stack([uvs[:, 0], 1.0 - uvs[:, 1]]).astype(np.float32)
    normals = None if file_type == "stl" else smooth_normals(positions, indices)
    return Primitive(positions, indices, normals, uv_array, material)


def obj_scene(data: bytes, base_dir: Path | None) -> Scene:
    """An OBJ with its MTL materials when the MTL is there: one primitive per material, `Kd`
    as baseColorFactor and `map_Kd` as baseColorTexture (an MTL has no PBR, so metallic 0 and
    roughness 1, as obj2gltf does). Without the MTL file the geometry alone is published and the
    manifest says so."""
    import trimesh
    from trimesh.resolvers import FilePathResolver

    wants_mtl = MTLLIB.search(data) is not None
    if base_dir is None or not wants_mtl:
        scene = Scene(primitives=[mesh_primitive(parse_obj(data, None), "obj")])
        if wants_mtl:
            scene.dropped.append(
                Dropped("OBJ materials (mtllib)", "the MTL file was not uploaded with the OBJ")
            )
        return scene
    loaded = parse_obj(data, FilePathResolver(str(base_dir)))
    geometries = list(loaded.geometry.values()) if isinstance(loaded, trimesh.Scene) else [loaded]
    scene = Scene(primitives=[])
    for geometry in geometries:
        material = getattr(getattr(geometry, "visual", None), "material", None)
        index = None
        if material is not None:
            index = len(scene.materials)
            scene.materials.append(mtl_material(material, scene))
        scene.primitives.append(mesh_primitive(geometry, "obj", index))
    return scene


def parse_obj(data: bytes, resolver: Any) -> Any:
    import trimesh

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # trimesh's nanmedian on no-UV parts
            loaded = trimesh.load(
                io.BytesIO(data),
                file_type="obj",
                resolver=resolver,
                force="scene" if resolver is not None else "mesh",
                process=False,
                skip_materials=resolver is None,
                group_material=True,
            )
    except Exception as exc:  # trimesh raises many unrelated types on malformed files
        raise AssetRejected(f"OBJ file could not be parsed ({exc})") from None
    if isinstance(loaded, list) or not (hasattr(loaded, "faces") or hasattr(loaded, "geometry")):
        raise AssetRejected("OBJ file holds no triangle mesh")
    return loaded


def mtl_material(material: Any, scene: Scene) -> dict[str, Any]:
    name = getattr(material, "name", None)
    diffuse = np.asarray(getattr(material, "diffuse", [255, 255, 255, 255]), dtype=np.float64)
    pbr: dict[str, Any] = {
        "baseColorFactor": [round(float(c) / 255.0, 6) for c in diffuse[:4]],
        "metallicFactor": 0.0,
        "roughnessFactor": 1.0,
    }
    image = getattr(material, "image", None)
    if image is not None:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        scene.images.append(SourceImage(buffer.getvalue(), "image/png", name))
        scene.textures.append({"source": len(scene.images) - 1})
        pbr["baseColorTexture"] = {"index": len(scene.textures) - 1}
    out: dict[str, Any] = {"pbrMetallicRoughness": pbr}
    if isinstance(name, str):
        out["name"] = name
    return out


def check_declared(data: bytes, file_type: str, limits: AssetLimits) -> int:
    """Refuse declared counts over the limits; returns the declared triangle count."""
    vertices = triangles = 0
    if file_type == "ply":
        header = data[: data.find(b"end_header")] if b"end_header" in data[:65536] else b""
        if not header.startswith(b"ply"):
            raise AssetRejected("PLY file has no 'ply ... end_header' header in its first 64 KB")
        counts = {m.group(1): int(m.group(2)) for m in PLY_ELEMENT.finditer(header)}
        vertices = counts.get(b"vertex", 0)
        # A strip of n indices yields at most n - 2 triangles; the count is checked after.
        triangles = counts.get(b"face", 0)
    elif file_type == "stl" and is_binary_stl(data):
        (triangles,) = struct.unpack_from("<I", data, 80)
        vertices = 3 * triangles
    else:
        triangles = data.count(b"\nf ") + data.count(b"\nfacet")
    limits.check_counts(triangles, vertices)
    return triangles


def is_binary_stl(data: bytes) -> bool:
    """Binary STL: 80-byte header, triangle count, 50 bytes per triangle (ASCII STL starts with
    'solid', but so do some binary headers, so the size decides)."""
    if len(data) < 84:
        return False
    (triangles,) = struct.unpack_from("<I", data, 80)
    if 84 + 50 * triangles == len(data):
        return True
    if not data[:5].lower().startswith(b"solid"):
        raise AssetRejected(
            f"binary STL declares {triangles} triangles but the file is {len(data)} bytes"
        )
    return False


def ply_strip_primitive(data: bytes) -> Primitive:
    """A PLY whose faces are a 'tristrips' element (-1 restarts), converted to triangles."""
    from trimesh.exchange import ply

    try:
        raw: Any = ply.load_ply(io.BytesIO(data))["metadata"]["_ply_raw"]
        vertex = raw["vertex"]["data"]
        positions = np.column_stack([vertex["x"], vertex["y"], vertex["z"]]).astype(np.float32)
        strips = np.concatenate(
            [
                np.asarray(row["vertex_indices"]["f1"]).reshape(-1)
                for row in raw["tristrips"]["data"]
            ]
        ).astype(np.int64)
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise AssetRejected(
            f"PLY tristrips could not be read ({exc}); expected x, y, z vertex "
            "properties and a 'list int int vertex_indices' strip"
        ) from None
    if not np.isfinite(positions).all():
        raise AssetRejected("PLY file has NaN or infinite vertex positions")
    indices = strips_to_triangles(strips, positions.shape[0])
    if indices.size == 0:
        raise AssetRejected("PLY tristrips hold no triangle")
    return Primitive(positions, indices, smooth_normals(positions, indices))


def strips_to_triangles(strips: NDArray[np.int64], vertex_count: int) -> NDArray[np.uint32]:
    """Triangle list from strips separated by -1, alternating winding, degenerates dropped."""
    if strips.size and (strips.max() >= vertex_count or strips.min() < -1):
        raise AssetRejected(f"PLY tristrips reference vertices outside 0..{vertex_count - 1}")
    if strips.size < 3:
        return np.zeros(0, dtype=np.uint32)
    # Vectorised: triangle k uses entries k, k+1, k+2 of one strip; its parity within the strip
    # (distance from the strip's first entry) decides the winding flip.
    position = np.arange(strips.size)
    restart = np.where(strips == -1, position + 1, 0)
    strip_start = np.maximum.accumulate(restart)
    k = position[:-2]
    inside = (strips[:-2] != -1) & (strips[1:-1] != -1) & (strips[2:] != -1)
    k = k[inside]
    odd = (k - strip_start[k]) % 2 == 1
    all_tris = np.stack(
        [strips[k], strips[np.where(odd, k + 2, k + 1)], strips[np.where(odd, k + 1, k + 2)]],
        axis=1,
    )
    keep = (
        (all_tris[:, 0] != all_tris[:, 1])
        & (all_tris[:, 1] != all_tris[:, 2])
        & (all_tris[:, 0] != all_tris[:, 2])
    )
    triangles: NDArray[np.uint32] = all_tris[keep].astype(np.uint32).reshape(-1)
    return triangles


def smooth_normals(
    positions: NDArray[np.float32], indices: NDArray[np.uint32]
) -> NDArray[np.float32]:
    """Area-weighted vertex normals (numpy only: trimesh's path wants scipy)."""
    tri = indices.reshape(-1, 3)
    p = positions.astype(np.float64)
    face = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
    corners = tri.reshape(-1)
    repeated = np.repeat(face, 3, axis=0)
    # bincount is the fast scatter-add (np.add.at is ~20x slower here).
    normals = np.column_stack(
        [np.bincount(corners, weights=repeated[:, axis], minlength=p.shape[0]) for axis in range(3)]
    )
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return (normals / np.where(length > 0, length, 1.0)).astype(np.float32)
