"""GLB / glTF -> Scene: a thin layer of our own over json + numpy.

Order matters: structure and declared counts are validated before any accessor is read or
any compressed data is decoded, so a bad or hostile file is refused cheaply.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from handlers.asset import gltf_fields as f
from handlers.asset.config import AssetLimits
from handlers.asset.errors import AssetRejected
from handlers.asset.gltf_accessors import AccessorReader
from handlers.asset.gltf_container import ByteSource, GltfDocument, load_document
from handlers.asset.gltf_nodes import (
    MeshInstance,
    expand_instances,
    instance_count,
    mesh_instances,
)
from handlers.asset.gltf_parts import carry_document_parts
from handlers.asset.image_pruning import prune_images
from handlers.asset.scene import Primitive, Scene, SourceImage
from handlers.asset.textures import check_image_size

SUPPORTED_REQUIRED = frozenset(
    {
        "KHR_draco_mesh_compression",
        "EXT_meshopt_compression",
        "KHR_mesh_quantization",
        "EXT_texture_webp",
        "KHR_materials_emissive_strength",
        "KHR_texture_transform",
        "EXT_mesh_gpu_instancing",  # expanded: every instance is drawn
        "KHR_materials_variants",
    }
)
DRACO = "KHR_draco_mesh_compression"
VARIANTS = "KHR_materials_variants"
# Vertex attributes carried through simplification and compression; any other is dropped
# (and named in the manifest).
ATTRIBUTES = ("POSITION", "NORMAL", "TEXCOORD_0", "TEXCOORD_1", "COLOR_0")
MODE_TRIANGLES, MODE_STRIP, MODE_FAN = 4, 5, 6


def import_gltf(
    data: ByteSource, limits: AssetLimits, base_dir: Path | None = None, *, binary: bool = False
) -> Scene:
    """`binary` (a .glb upload) insists on the GLB header instead of sniffing for JSON."""
    document = load_document(data, limits, base_dir, require_glb=binary)
    doc = document.json
    check_extensions_required(doc)
    tree = mesh_instances(doc, limits)
    check_declared_counts(doc, tree.instances, limits)
    reader = AccessorReader(document)
    instances = expand_instances(doc, tree, reader.read, limits)
    primitives = [
        read_primitive(doc, reader, document, prim, inst, n)
        for inst in instances
        for n, prim in enumerate(primitives_of(doc, inst.mesh))
    ]
    scene = Scene(
        primitives=[p for p in primitives if p.indices.size],
        materials=[dict(m) for m in f.array(doc, "materials")],
        textures=[dict(t) for t in f.array(doc, "textures")],
        samplers=[dict(s) for s in f.array(doc, "samplers")],
        images=read_images(doc, reader, document, limits),
        nodes=tree.nodes,
        roots=tree.roots,
    )
    carry_document_parts(doc, scene, instances)
    prune_images(scene)
    return scene


def check_extensions_required(doc: dict[str, Any]) -> None:
    unknown = sorted(set(map(str, f.array(doc, "extensionsRequired"))) - SUPPORTED_REQUIRED)
    if unknown:
        raise AssetRejected(
            f"glTF requires extensions this service cannot read: {', '.join(unknown)}; "
            f"supported: {', '.join(sorted(SUPPORTED_REQUIRED))}"
        )


def primitives_of(doc: dict[str, Any], mesh_index: int) -> list[dict[str, Any]]:
    mesh = f.item(doc, "meshes", mesh_index, "node.mesh")
    prims = mesh.get("primitives")
    if not isinstance(prims, list):
        raise AssetRejected(f"meshes[{mesh_index}].primitives must be an array")
    return [f.obj(p, f"meshes[{mesh_index}].primitives[{i}]") for i, p in enumerate(prims)]


def check_declared_counts(
    doc: dict[str, Any], instances: list[MeshInstance], limits: AssetLimits
) -> int:
    """Triangles, vertices and textures as the JSON declares them, before reading anything;
    returns the declared triangle count."""
    triangles = vertices = 0
    for inst in instances:
        copies = 1
        if inst.instancing is not None:
            copies = instance_count(doc, inst.instancing, f"mesh {inst.mesh} instancing")
        for prim in primitives_of(doc, inst.mesh) * copies:
            attrs = f.obj(prim.get("attributes"), "primitive.attributes")
            if "POSITION" not in attrs:
                raise AssetRejected("a mesh primitive has no POSITION attribute")
            if prim.get("targets") or "JOINTS_0" in attrs:
                raise AssetRejected(
                    "skinned or morph-target meshes are not supported: upload a static model"
                )
            mode = prim.get("mode", MODE_TRIANGLES)
            if mode not in (MODE_TRIANGLES, MODE_STRIP, MODE_FAN):
                raise AssetRejected(
                    f"primitive mode {mode!r} (points or lines) is not supported; "
                    "only triangles, triangle strips and fans"
                )
            pos = f.item(doc, "accessors", attrs["POSITION"], "attributes.POSITION")
            count = f.natural(pos.get("count"), "POSITION accessor count")
            vertices += count
            if "indices" in prim:
                idx = f.item(doc, "accessors", prim["indices"], "primitive.indices")
                count = f.natural(idx.get("count"), "indices accessor count")
            triangles += count // 3 if mode == MODE_TRIANGLES else max(count - 2, 0)
    limits.check_counts(triangles, vertices)
    textures = len(f.array(doc, "textures"))
    if textures > limits.max_textures:
        raise AssetRejected(f"model has {textures} textures; the limit is {limits.max_textures}")
    return triangles


def declared_work(
    data: ByteSource, limits: AssetLimits, base_dir: Path | None = None, *, binary: bool = False
) -> tuple[int, int]:
    """(triangles, texture pixels) of a glTF from its JSON and its images' headers alone:
    nothing is decoded. Byte-identical images count once, as they are encoded once."""
    from handlers.asset.textures import image_pixels

    document = load_document(data, limits, base_dir, require_glb=binary)
    doc = document.json
    triangles = check_declared_counts(doc, mesh_instances(doc, limits).instances, limits)
    reader = AccessorReader(document)
    seen: set[bytes] = set()
    pixels = 0
    for i, img in enumerate(f.array(doc, "images")):
        img = f.obj(img, f"images[{i}]")
        if "bufferView" in img:
            raw = bytes(reader.view_bytes(img["bufferView"], f"images[{i}].bufferView")[0])
        elif isinstance(img.get("uri"), str):
            raw = document.resolve_uri(img["uri"], f"images[{i}]")
        else:
            continue
        digest = hashlib.sha256(raw).digest()
        if digest not in seen:
            seen.add(digest)
            pixels += image_pixels(raw, f"images[{i}]")
    return triangles, pixels


def read_primitive(
    doc: dict[str, Any],
    reader: AccessorReader,
    document: GltfDocument,
    prim: dict[str, Any],
    inst: MeshInstance,
    number: int,
) -> Primitive:
    what = f"meshes[{inst.mesh}].primitives[{number}]"
    attrs = prim["attributes"]
    draco = prim.get("extensions", {}).get(DRACO)
    if draco is not None:
        data = decode_draco(doc, reader, f.obj(draco, f"{what}.{DRACO}"), prim, what)
    else:
        data = {
            name: reader.read(attrs[name], f"{what}.attributes.{name}")
            for name in ATTRIBUTES
            if name in attrs
        }
        if "indices" in prim:
            data["indices"] = reader.read(prim["indices"], f"{what}.indices")
    positions = np.ascontiguousarray(data["POSITION"][:, :3], dtype=np.float32)
    if positions.shape[1] != 3:
        raise AssetRejected(f"{what}.attributes.POSITION must be VEC3")
    if not np.isfinite(positions).all():
        raise AssetRejected(f"{what} has NaN or infinite vertex positions")
    indices = to_triangle_list(
        data.get("indices"), positions.shape[0], prim.get("mode", MODE_TRIANGLES), what
    )
    if inst.mirrored:  # baked into the vertices, a mirror would turn every face inside out
        indices = np.ascontiguousarray(indices.reshape(-1, 3)[:, ::-1]).reshape(-1)
    normals = data.get("NORMAL")
    material = prim.get("material")
    if material is not None:
        material = f.index(material, len(f.array(doc, "materials")), f"{what}.material")
    return Primitive(
        positions=inst.transform_points(positions),
        indices=indices,
        normals=None
        if normals is None
        else inst.transform_normals(np.nan_to_num(normals[:, :3].astype(np.float32))),
        uvs=uv_array(data.get("TEXCOORD_0")),
        material=material,
        uvs1=uv_array(data.get("TEXCOORD_1")),
        colors=rgba_array(data.get("COLOR_0")),
        node=inst.node,
        variant_mappings=variant_mappings(prim, what),
    )


def uv_array(values: NDArray[Any] | None) -> NDArray[np.float32] | None:
    return None if values is None else np.nan_to_num(values[:, :2].astype(np.float32))


def rgba_array(values: NDArray[Any] | None) -> NDArray[np.float32] | None:
    """COLOR_0 as RGBA floats (an RGB colour gets alpha 1)."""
    if values is None:
        return None
    if values.dtype.kind in "ui":  # Draco hands colours back as stored, e.g. uint8
        values = values.astype(np.float32) / np.float32(np.iinfo(values.dtype).max)
    rgba = np.ones((values.shape[0], 4), dtype=np.float32)
    rgba[:, : min(values.shape[1], 4)] = values[:, :4]
    return np.clip(np.nan_to_num(rgba), 0.0, 1.0)


def variant_mappings(prim: dict[str, Any], what: str) -> list[dict[str, Any]] | None:
    ext = prim.get("extensions", {}).get(VARIANTS)
    if ext is None:
        return None
    mappings = f.obj(ext, f"{what}.extensions.{VARIANTS}").get("mappings")
    if not isinstance(mappings, list):
        raise AssetRejected(f"{what}.extensions.{VARIANTS}.mappings must be an array")
    return [dict(f.obj(m, f"{what}.{VARIANTS}.mappings[]")) for m in mappings]


def to_triangle_list(
    raw: NDArray[Any] | None, vertex_count: int, mode: int, what: str
) -> NDArray[np.uint32]:
    if raw is None:
        seq = np.arange(vertex_count, dtype=np.uint32)
    else:
        if raw.dtype.kind != "u":
            raise AssetRejected(f"{what}.indices must be unsigned integers")
        seq = raw.reshape(-1).astype(np.uint32, copy=False)
    if seq.size and int(seq.max()) >= vertex_count:
        raise AssetRejected(
            f"{what}.indices reference vertex {int(seq.max())}, but there are {vertex_count}"
        )
    if mode == MODE_TRIANGLES:
        return seq[: seq.size - seq.size % 3]
    if seq.size < 3:
        return np.zeros(0, dtype=np.uint32)
    k = np.arange(seq.size - 2)
    if mode == MODE_FAN:
        tris = np.stack([np.full_like(k, 0), k + 1, k + 2], axis=1)
    else:  # strip: flip every other triangle to keep the winding
        odd = k % 2 == 1
        tris = np.stack([k, np.where(odd, k + 2, k + 1), np.where(odd, k + 1, k + 2)], axis=1)
    return seq[tris].reshape(-1)


def decode_draco(
    doc: dict[str, Any],
    reader: AccessorReader,
    ext: dict[str, Any],
    prim: dict[str, Any],
    what: str,
) -> dict[str, NDArray[Any]]:
    """Decode a Draco primitive; the accessor counts (already checked) must match the data."""
    import DracoPy

    raw, _ = reader.view_bytes(ext.get("bufferView"), f"{what}.{DRACO}.bufferView")
    try:
        mesh = DracoPy.decode(bytes(raw))
    except Exception as exc:  # DracoPy raises bare ValueError/RuntimeError subclasses
        raise AssetRejected(f"{what}: Draco data could not be decoded ({exc})") from None
    ids = f.obj(ext.get("attributes"), f"{what}.{DRACO}.attributes")
    data: dict[str, NDArray[Any]] = {}
    for name in ATTRIBUTES:
        if name not in ids:
            continue
        attribute = mesh.get_attribute_by_unique_id(ids[name])
        if attribute is None:
            raise AssetRejected(f"{what}: Draco data has no attribute id {ids[name]} for {name}")
        values = np.asarray(attribute["data"])
        declared = f.item(doc, "accessors", prim["attributes"][name], name)["count"]
        if values.shape[0] != declared:
            raise AssetRejected(
                f"{what}: Draco {name} has {values.shape[0]} values, accessor declares {declared}"
            )
        data[name] = values.reshape(values.shape[0], -1)
    if "POSITION" not in data:
        raise AssetRejected(f"{what}: Draco extension does not map POSITION")
    faces = getattr(mesh, "faces", None)
    if faces is None:
        raise AssetRejected(f"{what}: Draco data is a point cloud, not a mesh")
    data["indices"] = np.asarray(faces, dtype=np.uint32).reshape(-1)
    return data


def read_images(
    doc: dict[str, Any], reader: AccessorReader, document: GltfDocument, limits: AssetLimits
) -> list[SourceImage]:
    images = []
    for i, img in enumerate(f.array(doc, "images")):
        img = f.obj(img, f"images[{i}]")
        if "bufferView" in img:
            view, _ = reader.view_bytes(img["bufferView"], f"images[{i}].bufferView")
            data = bytes(view)  # owned: the upload it came from is released after import
        elif isinstance(img.get("uri"), str):
            data = document.resolve_uri(img["uri"], f"images[{i}]")
        else:
            raise AssetRejected(f"images[{i}] has neither a bufferView nor a uri")
        check_image_size(data, limits, f"images[{i}]")
        images.append(
            SourceImage(data=data, mime_type=str(img.get("mimeType", "")), name=img.get("name"))
        )
    return images
