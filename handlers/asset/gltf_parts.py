"""The parts of a glTF document a shop keeps beside the geometry, and what it tells the seller
it dropped: attribution (asset.copyright, asset.extras), the variant list of
KHR_materials_variants, the lights of KHR_lights_punctual; animations, cameras, skins,
unreachable nodes and extensions this service cannot carry are listed with the reason."""

from __future__ import annotations

from typing import Any, Final

from handlers.asset import gltf_fields as f
from handlers.asset.gltf_nodes import INSTANCING, LIGHTS, MeshInstance
from handlers.asset.scene import Dropped, Scene

VARIANTS: Final = "KHR_materials_variants"
KEPT_ASSET_FIELDS: Final = ("copyright", "extras")
# Root extensions published as uploaded.
KEPT_ROOT_EXTENSIONS: Final = (VARIANTS, LIGHTS)
# Extensions the importer reads and re-encodes its own way (nothing of them is lost).
REENCODED: Final = frozenset(
    {
        "KHR_draco_mesh_compression",
        "EXT_meshopt_compression",
        "KHR_mesh_quantization",
        "EXT_texture_webp",
    }
)
KEPT_ATTRIBUTES: Final = frozenset({"POSITION", "NORMAL", "TEXCOORD_0", "TEXCOORD_1", "COLOR_0"})


def carry_document_parts(doc: dict[str, Any], scene: Scene, instances: list[MeshInstance]) -> None:
    """Fill `scene.asset`, `scene.extensions` and `scene.dropped` from the uploaded document."""
    asset = f.obj(doc.get("asset"), "asset")
    scene.asset = {k: asset[k] for k in KEPT_ASSET_FIELDS if k in asset}
    raw = doc.get("extensions")
    root_ext: dict[str, Any] = raw if isinstance(raw, dict) else {}
    for name in KEPT_ROOT_EXTENSIONS:
        if name in root_ext:
            scene.extensions[name] = root_ext[name]
    light_ext = root_ext.get(LIGHTS)
    lights = light_ext.get("lights") if isinstance(light_ext, dict) else None
    lights = lights if isinstance(lights, list) else []
    for node in scene.nodes:
        if node.light is not None and not 0 <= node.light < len(lights):
            node.light = node.light_matrix = None
    scene.dropped.extend(dropped_parts(doc, scene, instances))


def dropped_parts(
    doc: dict[str, Any], scene: Scene, instances: list[MeshInstance]
) -> list[Dropped]:
    out: list[Dropped] = []
    for key, why in (
        ("animations", "the shop shows products at rest; animations are not published"),
        ("skins", "skinning is not published (the model is shown in its rest pose)"),
        ("cameras", "the viewer frames the product itself; cameras are not published"),
    ):
        if f.array(doc, key):
            out.append(Dropped(f"{len(f.array(doc, key))} {key}", why))
    unreachable = len(f.array(doc, "nodes")) - len(scene.nodes)
    if unreachable:
        out.append(Dropped(f"{unreachable} nodes", "not part of the scene that is shown"))
    attributes = {
        name
        for mesh in f.array(doc, "meshes")
        if isinstance(mesh, dict)
        for prim in f.array(mesh, "primitives")
        if isinstance(prim, dict) and isinstance(prim.get("attributes"), dict)
        for name in prim["attributes"]
    }
    for name in sorted(attributes - KEPT_ATTRIBUTES):
        why = (
            "tangents no longer match simplified geometry; viewers derive them from normals and UVs"
            if name == "TANGENT"
            else "only TEXCOORD_0/1 and COLOR_0 are carried through simplification"
        )
        out.append(Dropped(f"vertex attribute {name}", why))
    nodes = f.array(doc, "nodes")
    if any(
        isinstance(n, dict)
        and isinstance(n.get("extensions"), dict)
        and INSTANCING in n["extensions"]
        for n in nodes
    ):
        out.append(
            Dropped(
                INSTANCING,
                f"instances expanded into plain geometry ({len(instances)} mesh copies drawn)",
            )
        )
    carried = REENCODED | {INSTANCING} | set(scene.extensions) | extensions_in(scene.materials)
    carried |= extensions_in(scene.textures) | extensions_in(scene.samplers)
    for name in sorted(set(map(str, f.array(doc, "extensionsUsed"))) - carried):
        out.append(Dropped(f"extension {name}", "this service cannot carry it through LODs"))
    return out


def extensions_in(value: Any) -> set[str]:
    """Extension names used anywhere inside carried-over JSON (materials, textures)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("extensions"), dict):
                found.update(item["extensions"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
