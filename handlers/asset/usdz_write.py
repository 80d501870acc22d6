"""The standard LOD as a USDZ for AR Quick Look (iOS): meshes, UsdPreviewSurface materials with
their textures (PNG: ARKit reads PNG and JPEG, not WebP), metres, upAxis Y, packaged with
UsdUtils.CreateNewARKitUsdzPackage, which enforces ARKit's package rules.

Geometry is the LOD's world-space triangles (the hierarchy is baked there too). A model that
uses KHR_materials_variants gets its default materials (the ones the primitives name); the
manifest says so. `scale` (from the product's catalog dimensions, when known) makes the AR
object the product's real size.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from handlers.asset.scene import Primitive, Scene

USDZ_NAME = "model.usdz"
USDZ_CONTENT_TYPE = "model/vnd.usdz+zip"  # IANA's registration for USDZ


def write_usdz(scene: Scene, webp_images: Sequence[bytes], scale: float = 1.0) -> bytes:
    """`webp_images`: the scene's images as encoded for this LOD (one per scene image)."""
    from pxr import Usd, UsdGeom, UsdUtils

    with tempfile.TemporaryDirectory(prefix="usdz-") as tmp:
        folder = Path(tmp)
        texture_files = [write_png(folder, n, data) for n, data in enumerate(webp_images)]
        stage = Usd.Stage.CreateNew(str(folder / "model.usdc"))
        UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y)
        UsdGeom.SetStageMetersPerUnit(stage, 1.0)
        root = UsdGeom.Xform.Define(stage, "/Product")
        stage.SetDefaultPrim(root.GetPrim())
        Usd.ModelAPI(root.GetPrim()).SetKind("component")
        if scale != 1.0:
            root.AddScaleOp().Set((scale, scale, scale))
        materials = [
            define_material(stage, n, material, scene.textures, texture_files)
            for n, material in enumerate(scene.materials)
        ]
        for n, prim in enumerate(scene.primitives):
            define_mesh(stage, n, prim, scene, materials)
        stage.GetRootLayer().Save()
        target = folder / USDZ_NAME
        if not UsdUtils.CreateNewARKitUsdzPackage(str(folder / "model.usdc"), str(target)):
            raise RuntimeError("UsdUtils.CreateNewARKitUsdzPackage refused the stage")
        return target.read_bytes()


def write_png(folder: Path, number: int, webp: bytes) -> str:
    """The LOD's texture as JPEG (opaque) or PNG (with alpha), the two formats ARKit reads;
    JPEG at quality 90 keeps the USDZ near the GLB's size (PNG made it 3.9 MB for the
    helmet's five 1024 px maps)."""
    with Image.open(io.BytesIO(webp)) as img:
        img.load()
        lowest_alpha = img.getchannel("A").getextrema()[0] if img.mode == "RGBA" else 255
        if isinstance(lowest_alpha, (int, float)) and lowest_alpha < 255:
            name = f"texture_{number}.png"
            img.save(folder / name, format="PNG")
        else:
            name = f"texture_{number}.jpg"
            img.convert("RGB").save(folder / name, format="JPEG", quality=90)
    return f"./{name}"  # "./": anchored to the layer, not a search path


def prim_name(text: str | None, fallback: str) -> str:
    """A valid USD prim name (letters, digits, underscores, not starting with a digit)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", text or "")
    return f"{fallback}_{cleaned}" if not cleaned or cleaned[0].isdigit() else cleaned


def define_mesh(
    stage: Any, number: int, prim: Primitive, scene: Scene, materials: list[Any]
) -> None:
    from pxr import Sdf, UsdGeom, UsdShade, Vt

    node = scene.nodes[prim.node] if prim.node < len(scene.nodes) else None
    name = prim_name(node.name if node else None, "mesh")
    mesh = UsdGeom.Mesh.Define(stage, f"/Product/Geometry/{name}_{number}")
    positions = np.ascontiguousarray(prim.positions, dtype=np.float32)
    mesh.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(positions))
    count = prim.triangle_count
    mesh.CreateFaceVertexCountsAttr(Vt.IntArray.FromNumpy(np.full(count, 3, dtype=np.int32)))
    mesh.CreateFaceVertexIndicesAttr(Vt.IntArray.FromNumpy(prim.indices.astype(np.int32)))
    mesh.CreateSubdivisionSchemeAttr(UsdGeom.Tokens.none)
    mesh.CreateDoubleSidedAttr(False)
    lo, hi = positions.min(axis=0), positions.max(axis=0)
    mesh.CreateExtentAttr(Vt.Vec3fArray.FromNumpy(np.stack([lo, hi]).astype(np.float32)))
    if prim.normals is not None:
        mesh.CreateNormalsAttr(Vt.Vec3fArray.FromNumpy(np.ascontiguousarray(prim.normals)))
        mesh.SetNormalsInterpolation(UsdGeom.Tokens.vertex)
    primvars = UsdGeom.PrimvarsAPI(mesh)
    for primvar, uvs in (("st", prim.uvs), ("st1", prim.uvs1)):
        if uvs is not None:
            # USD's texture origin is bottom left, glTF's top left.
            st = np.column_stack([uvs[:, 0], 1.0 - uvs[:, 1]]).astype(np.float32)
            var = primvars.CreatePrimvar(
                primvar, Sdf.ValueTypeNames.TexCoord2fArray, UsdGeom.Tokens.vertex
            )
            var.Set(Vt.Vec2fArray.FromNumpy(st))
    if prim.colors is not None:
        colour = mesh.CreateDisplayColorPrimvar(UsdGeom.Tokens.vertex)
        colour.Set(Vt.Vec3fArray.FromNumpy(np.ascontiguousarray(prim.colors[:, :3])))
    if prim.material is not None and prim.material < len(materials):
        UsdShade.MaterialBindingAPI.Apply(mesh.GetPrim()).Bind(materials[prim.material])


def define_material(
    stage: Any,
    number: int,
    material: dict[str, Any],
    textures: list[dict[str, Any]],
    texture_files: list[str],
) -> Any:
    from pxr import Sdf, UsdShade

    path = f"/Product/Materials/{prim_name(material.get('name'), 'material')}_{number}"
    usd_material = UsdShade.Material.Define(stage, path)
    surface = UsdShade.Shader.Define(stage, f"{path}/PreviewSurface")
    surface.CreateIdAttr("UsdPreviewSurface")
    usd_material.CreateSurfaceOutput().ConnectToSource(surface.ConnectableAPI(), "surface")
    pbr = material.get("pbrMetallicRoughness", {})
    factor = [float(v) for v in pbr.get("baseColorFactor", [1, 1, 1, 1])]
    inputs = surface.CreateInput
    inputs("diffuseColor", Sdf.ValueTypeNames.Color3f).Set(tuple(factor[:3]))
    inputs("metallic", Sdf.ValueTypeNames.Float).Set(float(pbr.get("metallicFactor", 1.0)))
    inputs("roughness", Sdf.ValueTypeNames.Float).Set(float(pbr.get("roughnessFactor", 1.0)))
    emissive = [float(v) for v in material.get("emissiveFactor", [0, 0, 0])]
    inputs("emissiveColor", Sdf.ValueTypeNames.Color3f).Set(tuple(emissive))
    if material.get("alphaMode") in ("BLEND", "MASK"):
        inputs("opacity", Sdf.ValueTypeNames.Float).Set(factor[3])
        if material.get("alphaMode") == "MASK":
            cutoff = float(material.get("alphaCutoff", 0.5))
            inputs("opacityThreshold", Sdf.ValueTypeNames.Float).Set(cutoff)
    reader = TextureWiring(stage, path, textures, texture_files)
    reader.connect(surface, pbr.get("baseColorTexture"), "diffuseColor", "rgb", "sRGB", factor)
    reader.connect(surface, material.get("emissiveTexture"), "emissiveColor", "rgb", "sRGB")
    metal_rough = pbr.get("metallicRoughnessTexture")
    reader.connect(surface, metal_rough, "roughness", "g", "raw")
    reader.connect(surface, metal_rough, "metallic", "b", "raw")
    reader.connect(surface, material.get("occlusionTexture"), "occlusion", "r", "raw")
    reader.connect(surface, material.get("normalTexture"), "normal", "rgb", "raw")
    return usd_material


class TextureWiring:
    """UsdUVTexture + UsdPrimvarReader_float2 pairs feeding a UsdPreviewSurface, one texture
    shader per glTF texture info (so each has its own channel and colour space)."""

    def __init__(
        self, stage: Any, path: str, textures: list[dict[str, Any]], files: list[str]
    ) -> None:
        self.stage, self.path, self.textures, self.files = stage, path, textures, files
        self.count = 0
        self.readers: dict[str, Any] = {}

    def st_reader(self, primvar: str) -> Any:
        from pxr import Sdf, UsdShade

        if primvar not in self.readers:
            reader = UsdShade.Shader.Define(self.stage, f"{self.path}/{primvar}Reader")
            reader.CreateIdAttr("UsdPrimvarReader_float2")
            reader.CreateInput("varname", Sdf.ValueTypeNames.String).Set(primvar)
            self.readers[primvar] = reader.CreateOutput("result", Sdf.ValueTypeNames.Float2)
        return self.readers[primvar]

    def connect(
        self,
        surface: Any,
        info: Any,
        input_name: str,
        channel: str,
        colour_space: str,
        factor: list[float] | None = None,
    ) -> None:
        from pxr import Sdf, UsdShade

        if not isinstance(info, dict) or not isinstance(info.get("index"), int):
            return
        if not 0 <= info["index"] < len(self.textures):
            return
        texture = self.textures[info["index"]]
        source = texture.get("source", texture.get("extensions", {}).get("EXT_texture_webp", {}))
        source = source.get("source") if isinstance(source, dict) else source
        if not isinstance(source, int) or not 0 <= source < len(self.files):
            return
        self.count += 1
        shader = UsdShade.Shader.Define(self.stage, f"{self.path}/Texture{self.count}")
        shader.CreateIdAttr("UsdUVTexture")
        shader.CreateInput("file", Sdf.ValueTypeNames.Asset).Set(self.files[source])
        shader.CreateInput("sourceColorSpace", Sdf.ValueTypeNames.Token).Set(colour_space)
        shader.CreateInput("wrapS", Sdf.ValueTypeNames.Token).Set("repeat")
        shader.CreateInput("wrapT", Sdf.ValueTypeNames.Token).Set("repeat")
        primvar = "st1" if info.get("texCoord") == 1 else "st"
        shader.CreateInput("st", Sdf.ValueTypeNames.Float2).ConnectToSource(self.st_reader(primvar))
        if input_name == "normal":  # tangent-space normals: [0, 1] -> [-1, 1]
            shader.CreateInput("scale", Sdf.ValueTypeNames.Float4).Set((2.0, 2.0, 2.0, 1.0))
            shader.CreateInput("bias", Sdf.ValueTypeNames.Float4).Set((-1.0, -1.0, -1.0, 0.0))
        elif factor is not None:
            shader.CreateInput("scale", Sdf.ValueTypeNames.Float4).Set(tuple(factor[:4]))
        value_type = Sdf.ValueTypeNames.Float3 if channel == "rgb" else Sdf.ValueTypeNames.Float
        output = shader.CreateOutput(channel, value_type)
        kind = Sdf.ValueTypeNames.Normal3f if input_name == "normal" else None
        if kind is None:
            kind = Sdf.ValueTypeNames.Color3f if channel == "rgb" else Sdf.ValueTypeNames.Float
        surface.CreateInput(input_name, kind).ConnectToSource(output)
