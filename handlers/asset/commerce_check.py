"""The commerce asset check: what a seller must fix (errors: the upload is REJECTED with the
reasons) or should fix (warnings: published, listed in the manifest's report).

Modelled on the Khronos 3D Commerce "Real-time Asset Creation Guidelines" 1.0
(KhronosGroup/3DC-Asset-Creation, asset-creation-guidelines/RealtimeAssetCreationGuidelines.md
and full-version/sec05_MaterialsAndTextures): real-world scale in metres, the centre of the
base at the origin, power-of-two textures of 1k-2k, 100k triangles or fewer and under 5 MB for
web and mobile AR, Base Color within the PBR-safe sRGB range 30-243, fully unwrapped UVs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal

import numpy as np
from PIL import Image

from handlers.asset.mesh_import import UNIT_METRES
from handlers.asset.scene import Primitive, Scene
from handlers.asset.textures import image_size

Level = Literal["error", "warning"]
TEXTURE_TRANSFORM: Final = "KHR_texture_transform"
GUIDELINES: Final = "Khronos 3D Commerce Real-time Asset Creation Guidelines 1.0"
DIMENSION_TOLERANCE: Final = 0.02  # the model's size may differ from the catalog's by 2%
ORIGIN_TOLERANCE: Final = 0.01  # of the model's largest side
SAFE_BASE_COLOUR: Final = (30, 243)  # sRGB 8-bit, sec05 "PBR Colors and Values"
OUT_OF_RANGE_SHARE: Final = 0.05  # of a base colour texture's pixels
DEGENERATE_UV_SHARE: Final = 0.05  # of a textured primitive's triangles
# Publishing targets, "Web for Desktop and Mobile AR (for a single item)".
AR_TRIANGLES: Final = 100_000
AR_BYTES: Final = 5 * 1024 * 1024
# Per LOD: the preview is what a shopper sees first on a phone; high is for close-ups.
LOD_TRIANGLE_BUDGETS: Final = {"preview": 10_000, "standard": AR_TRIANGLES, "high": 500_000}
MAX_TEXTURE_PX: Final = 4096
# Texel density, pixels of base colour texture per metre of surface, sqrt(UV area in pixels /
# world area). The upper bound is the Khronos-recommended schema of the 3D Commerce asset
# validator (3dc-validator-tests schemas/khronos-recommended.json, uvs.pixelsPerMeter.maximum);
# the guidelines name no lower bound, so ours: below 256 px/m a 10 cm label is 26 px across,
# a blur once AR puts the product at arm's length.
TEXEL_DENSITY_BAND: Final = (256.0, 100_000.0)
# Guidelines sec04 "UV Orientation & Distortion": each piece should get the same texel
# density (some parts may get more on purpose), so only parts this many times off the
# model's median are reported.
TEXEL_DENSITY_SPREAD: Final = 4.0


@dataclass(frozen=True)
class Finding:
    code: str
    level: Level
    message: str


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    def add(self, code: str, level: Level, message: str) -> None:
        self.findings.append(Finding(code, level, message))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    def as_manifest(self) -> dict[str, Any]:
        return {
            "guidelines": GUIDELINES,
            "passed": not self.errors,
            "findings": [asdict(f) for f in self.findings],
        }


def metres(values: Sequence[float] | np.ndarray[Any, Any]) -> str:
    return " x ".join(f"{v:.3f}" for v in values) + " m"


def check_dimensions(
    report: CheckReport, size: Sequence[float], product: Sequence[float] | None, unit: str
) -> None:
    """The model's width, height and depth (x, y, z in metres) against the catalog's."""
    if product is None:
        return
    model = np.asarray(size, dtype=np.float64)
    target = np.asarray(product, dtype=np.float64)
    off = np.abs(model - target) / np.maximum(target, 1e-9)
    if float(off.max()) <= DIMENSION_TOLERANCE:
        return
    message = (
        f"The model measures {metres(model)} (width x height x depth) but the product is "
        f"listed as {metres(target)}: {float(off.max()):.0%} off, more than the "
        f"{DIMENSION_TOLERANCE:.0%} allowed."
    )
    for name, factor in UNIT_METRES.items():
        rescaled = model / UNIT_METRES.get(unit, 1.0) * factor
        error = np.abs(rescaled - target) / np.maximum(target, 1e-9)
        if name != unit and float(error.max()) <= DIMENSION_TOLERANCE:
            message += (
                f" It matches if the file's unit is {name}, not {unit}: upload it with unit={name}."
            )
            break
    else:
        message += " Export the model at real-world scale in metres."
    report.add("dimensions", "error", message)


def check_origin(report: CheckReport, lo: Sequence[float], hi: Sequence[float]) -> None:
    low, high = np.asarray(lo, np.float64), np.asarray(hi, np.float64)
    extent = float(np.max(high - low)) or 1.0
    centre = (low + high) / 2
    offsets = {"x": float(centre[0]), "y (base)": float(low[1]), "z": float(centre[2])}
    off = {k: v for k, v in offsets.items() if abs(v) > ORIGIN_TOLERANCE * extent}
    if off:
        where = ", ".join(f"{k} {v * 100:+.1f} cm" for k, v in off.items())
        report.add(
            "origin",
            "warning",
            f"The origin is not at the centre of the model's base ({where}): AR places the "
            "product by its origin, so it will float, sink or sit off to the side. Move the "
            "model so the centre of its base is at 0, 0, 0.",
        )


def check_textures(report: CheckReport, scene: Scene) -> None:
    for n, image in enumerate(scene.images):
        width, height = image_size(image.data, f"images[{n}]")
        label = image.name or f"image {n + 1}"
        if width & (width - 1) or height & (height - 1):
            report.add(
                "texture-power-of-two",
                "warning",
                f"Texture {label!r} is {width}x{height} pixels: use power-of-two sizes "
                f"(such as {pow2(width)}x{pow2(height)}) so every device can mipmap it.",
            )
        if max(width, height) > MAX_TEXTURE_PX:
            report.add(
                "texture-size",
                "warning",
                f"Texture {label!r} is {width}x{height} pixels; phones show at most "
                f"{MAX_TEXTURE_PX} px, so it is published smaller. 1024 or 2048 px is enough.",
            )


def pow2(value: int) -> int:
    return 1 << max(0, round(float(np.log2(max(value, 1)))))


def srgb8(linear: float) -> float:
    """A linear 0..1 value (baseColorFactor) as an 8-bit sRGB value."""
    c = min(max(linear, 0.0), 1.0)
    encoded = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
    return encoded * 255.0


def check_base_colours(report: CheckReport, scene: Scene, previews: Sequence[bytes]) -> None:
    """Dark values break every material (even coal is 30); bright ones only non-metals."""
    low, high = SAFE_BASE_COLOUR
    for n, material in enumerate(scene.materials):
        pbr = material.get("pbrMetallicRoughness", {})
        label = material.get("name") or f"material {n + 1}"
        metal = (
            float(pbr.get("metallicFactor", 1.0)) >= 0.5 and "metallicRoughnessTexture" not in pbr
        )
        factor = [srgb8(float(v)) for v in pbr.get("baseColorFactor", [1, 1, 1, 1])[:3]]
        info = pbr.get("baseColorTexture")
        if info is None:
            if max(factor) < low or (not metal and min(factor) > high):
                report.add(
                    "base-colour-range",
                    "warning",
                    f"Material {label!r} has base colour {[round(v) for v in factor]} (sRGB); "
                    f"PBR-safe colours stay within {low}-{high} so the product looks right in "
                    "any lighting.",
                )
            continue
        source = texture_image(scene, info)
        if source is None or source >= len(previews):
            continue
        with Image.open(io.BytesIO(previews[source])) as img:
            rgb = np.asarray(img.convert("RGB"), dtype=np.float64)
        rgb = rgb * (np.asarray(factor) / 255.0)
        dark = float(np.mean(rgb.max(axis=2) < low))
        bright = 0.0 if metal else float(np.mean(rgb.min(axis=2) > high))
        if dark > OUT_OF_RANGE_SHARE or bright > OUT_OF_RANGE_SHARE:
            report.add(
                "base-colour-range",
                "warning",
                f"Material {label!r}: {max(dark, bright):.0%} of its base colour texture is "
                f"{'darker than' if dark >= bright else 'brighter than'} the PBR-safe range "
                f"({low}-{high} sRGB); shading or lighting painted into it looks wrong under "
                "other light.",
            )


def texture_image(scene: Scene, info: Any) -> int | None:
    if not isinstance(info, dict) or not isinstance(info.get("index"), int):
        return None
    if not 0 <= info["index"] < len(scene.textures):
        return None
    texture = scene.textures[info["index"]]
    source = texture.get("source", texture.get("extensions", {}).get("EXT_texture_webp", {}))
    source = source.get("source") if isinstance(source, dict) else source
    return source if isinstance(source, int) else None


def textured(material: dict[str, Any]) -> bool:
    pbr = material.get("pbrMetallicRoughness", {})
    keys = ("normalTexture", "occlusionTexture", "emissiveTexture")
    return (
        "baseColorTexture" in pbr
        or "metallicRoughnessTexture" in pbr
        or any(k in material for k in keys)
    )


def check_uvs(report: CheckReport, scene: Scene) -> None:
    for n, prim in enumerate(scene.primitives):
        if prim.material is None or prim.material >= len(scene.materials):
            continue
        material = scene.materials[prim.material]
        if not textured(material):
            continue
        label = material.get("name") or f"material {prim.material + 1}"
        if prim.uvs is None:
            report.add(
                "uvs-missing",
                "error",
                f"Part {n + 1} uses the textured material {label!r} but has no UVs: the "
                "texture cannot show. Unwrap the part's UVs before exporting.",
            )
            continue
        tri = prim.indices.reshape(-1, 3)
        uv = prim.uvs.astype(np.float64)[tri]
        e1, e2 = uv[:, 1] - uv[:, 0], uv[:, 2] - uv[:, 0]
        uv_area = np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]) / 2
        p = prim.positions.astype(np.float64)[tri]
        area = np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1) / 2
        visible = area > 0
        share = float(np.mean(uv_area[visible] <= 1e-12)) if visible.any() else 0.0
        if share >= 1.0:
            report.add(
                "uvs-degenerate",
                "error",
                f"Part {n + 1} ({label!r}): every triangle has zero UV area, so its texture "
                "shows as one smeared colour. Unwrap the part's UVs before exporting.",
            )
        elif share > DEGENERATE_UV_SHARE:
            report.add(
                "uvs-degenerate",
                "warning",
                f"Part {n + 1} ({label!r}): {share:.0%} of its triangles have zero UV area "
                "and show their texture smeared.",
            )


def texel_density(prim: Primitive, texture_px: tuple[int, int], uv_scale: float) -> float | None:
    """Pixels per metre of the part's surface: sqrt(UV area x texture pixels / world area);
    None without UVs or surface."""
    if prim.uvs is None:
        return None
    tri = prim.indices.reshape(-1, 3)
    uv = prim.uvs.astype(np.float64)[tri]
    e1, e2 = uv[:, 1] - uv[:, 0], uv[:, 2] - uv[:, 0]
    uv_area = float(np.sum(np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]))) / 2
    p = prim.positions.astype(np.float64)[tri]
    area = float(np.sum(np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1)))
    if area <= 0 or uv_area <= 0:
        return None
    return float(np.sqrt(uv_area * texture_px[0] * texture_px[1] / (area / 2))) * uv_scale


def _base_colour_texture(scene: Scene, material: dict[str, Any]) -> tuple[int, float] | None:
    """(image index, UV scale) of a material's base colour texture on TEXCOORD_0."""
    info = material.get("pbrMetallicRoughness", {}).get("baseColorTexture")
    transform = info.get("extensions", {}).get(TEXTURE_TRANSFORM, {}) if info else {}
    if info is None or transform.get("texCoord", info.get("texCoord", 0)) != 0:
        return None
    source = texture_image(scene, info)
    if source is None or source >= len(scene.images):
        return None
    sx, sy = (abs(float(v)) for v in transform.get("scale", (1.0, 1.0)))
    return source, float(np.sqrt(sx * sy))


def check_texel_density(report: CheckReport, scene: Scene) -> None:
    """Texel density of each base-colour-textured part, against the band and each other."""
    low, high = TEXEL_DENSITY_BAND
    densities: list[tuple[int, str, float]] = []
    for n, prim in enumerate(scene.primitives):
        if prim.material is None or prim.material >= len(scene.materials):
            continue
        material = scene.materials[prim.material]
        found = _base_colour_texture(scene, material)
        if found is None:
            continue
        source, uv_scale = found
        size = image_size(scene.images[source].data, f"images[{source}]")
        density = texel_density(prim, size, uv_scale)
        if density is not None:
            densities.append((n, material.get("name") or f"material {prim.material + 1}", density))
    for n, label, density in densities:
        if not low <= density <= high:
            report.add(
                "texel-density",
                "warning",
                f"Part {n + 1} ({label!r}) has {density:,.0f} texture pixels per metre; "
                f"{low:,.0f}-{high:,.0f} looks sharp without wasting memory. "
                + (
                    "Use a larger texture or give the part more of the UV space."
                    if density < low
                    else "Use a smaller texture or scale its UVs down."
                ),
            )
    if len(densities) < 2:
        return
    median = float(np.median([d for _, _, d in densities]))
    for n, label, density in densities:
        if max(density / median, median / density) > TEXEL_DENSITY_SPREAD:
            report.add(
                "texel-density-uneven",
                "warning",
                f"Part {n + 1} ({label!r}) has {density:,.0f} texture pixels per metre, the "
                f"model's parts {median:,.0f} in the middle: it looks "
                f"{'blurrier' if density < median else 'sharper'} than the rest. Pack the UVs "
                "so every part gets the same texture space per metre.",
            )


def check_source(
    scene: Scene,
    product_dimensions: Sequence[float] | None,
    previews: Sequence[bytes],
) -> CheckReport:
    """Everything that can be told from the upload, before any LOD is built."""
    report = CheckReport()
    lo, hi = scene.bbox()
    check_dimensions(report, (hi - lo).tolist(), product_dimensions, scene.source_unit)
    check_origin(report, lo.tolist(), hi.tolist())
    check_textures(report, scene)
    check_base_colours(report, scene, previews)
    check_uvs(report, scene)
    check_texel_density(report, scene)
    return report


def check_lod(report: CheckReport, name: str, triangles: int, size: int) -> None:
    budget = LOD_TRIANGLE_BUDGETS.get(name)
    if budget is not None and triangles > budget:
        report.add(
            "triangle-budget",
            "warning",
            f"The {name} level keeps {triangles:,} triangles (budget {budget:,}) because "
            "simplifying further would change the shape visibly; a lighter model loads faster "
            "on phones.",
        )
    if name == "standard" and size > AR_BYTES:
        report.add(
            "ar-size",
            "warning",
            f"The AR model is {size / 1e6:.1f} MB; AR on phones wants under "
            f"{AR_BYTES / 1e6:.0f} MB. Smaller or fewer textures help most.",
        )
