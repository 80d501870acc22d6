"""One model end to end, without any AWS: a file in, LOD GLBs and a manifest out.

Shared by the Lambda, the Batch job, the CLI and the local platform (via service.py).
Memory: the upload is read from disk and released once its mesh arrays are built; each LOD's
arrays are released once it is encoded.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from handlers.asset.commerce_check import check_lod, check_source
from handlers.asset.config import PipelineConfig
from handlers.asset.draw_calls import reduce_draw_calls
from handlers.asset.errors import AssetRejected
from handlers.asset.glb_write import build_glb
from handlers.asset.gltf_container import ByteSource
from handlers.asset.gltf_import import import_gltf
from handlers.asset.heap import return_large_blocks_to_os
from handlers.asset.mesh_import import MESH_FORMATS, import_mesh
from handlers.asset.scene import Scene
from handlers.asset.simplify import SimplifiedLod, cascade
from handlers.asset.staging import hash_file
from handlers.asset.textures import encode_webp_sizes
from handlers.asset.usdz_write import USDZ_CONTENT_TYPE, USDZ_NAME, write_usdz

GLTF_FORMATS = ("glb", "gltf")
SUPPORTED_SUFFIXES = GLTF_FORMATS + MESH_FORMATS
MANIFEST_VERSION = 1
USDZ_LOD = "standard"  # the LOD AR Quick Look gets (Scene Viewer gets its GLB)
VARIANTS = "KHR_materials_variants"
Progress = Callable[[str, float], None]


@dataclass
class LodOutput:
    name: str
    file_name: str
    data: bytes
    manifest_entry: dict[str, Any]


@dataclass
class PipelineResult:
    content_hash: str
    lods: list[LodOutput]
    manifest: dict[str, Any]
    usdz: bytes | None = None  # the AR Quick Look file (usdz_write.USDZ_NAME), of `USDZ_LOD`


def file_type_of(file_name: str) -> str:
    suffix = PurePosixPath(file_name).suffix.lower().lstrip(".")
    if suffix not in SUPPORTED_SUFFIXES:
        raise AssetRejected(
            f"file type {suffix or '(none)'!r} of {file_name!r} is not supported; "
            f"allowed: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    return suffix


def check_size(size: int, limits_bytes: int) -> None:
    if size > limits_bytes:
        raise AssetRejected(f"upload is {size} bytes; the limit is {limits_bytes} bytes")


def import_model(
    data: ByteSource, file_name: str, config: PipelineConfig, base_dir: Path | None = None
) -> Scene:
    """Validate and import; every failure is an AssetRejected with the reason."""
    limits = config.limits
    check_size(len(data), limits.max_bytes)
    file_type = file_type_of(file_name)
    if file_type in GLTF_FORMATS:
        scene = import_gltf(data, limits, base_dir, binary=file_type == "glb")
    else:
        scene = import_mesh(bytes(data), file_type, limits, config.mesh_unit, base_dir)
    if scene.triangle_count == 0:
        raise AssetRejected("model has no triangles to display")
    reduce_draw_calls(scene)
    if scene.triangle_count > limits.max_triangles:
        raise AssetRejected(
            f"model has {scene.triangle_count} triangles; the limit is {limits.max_triangles}"
        )
    return scene


def import_file(
    path: Path, file_name: str, config: PipelineConfig, base_dir: Path | None = None
) -> Scene:
    """`import_model` of a file on disk, size-checked before it is read. The bytes are
    released on return: only the arrays built from them are kept (glTF accessors are copied
    out of zero-copy views of the file's bytes)."""
    check_size(path.stat().st_size, config.limits.max_bytes)
    return import_model(path.read_bytes(), file_name, config, base_dir)


def encode_textures(scene: Scene, config: PipelineConfig) -> dict[str, list[bytes]]:
    """Each LOD's WebP images by LOD name, every texture decoded once for all LODs."""
    sizes = [spec.texture_max_px for spec in config.lods]
    per_image = [encode_webp_sizes(i.data, sizes, config.webp_quality) for i in scene.images]
    return {spec.name: [webps[n] for webps in per_image] for n, spec in enumerate(config.lods)}


def encode_lod(lod: SimplifiedLod, config: PipelineConfig, webp_images: list[bytes]) -> LodOutput:
    built = build_glb(lod.scene, lod.spec, config, webp_images)
    entry = {
        "name": lod.spec.name,
        "url": f"{lod.spec.name}.glb",
        "bytes": len(built.data),
        "triangles": built.triangles,
        "error": round(lod.error, 7),
        "texture_max_px": lod.spec.texture_max_px,
        "compression": built.compression,
    }
    return LodOutput(lod.spec.name, f"{lod.spec.name}.glb", built.data, entry)


def real_scale(lo: Any, hi: Any, product: tuple[float, float, float] | None) -> float:
    """The factor that makes the model the product's catalog size (within the check's 2%)."""
    if product is None:
        return 1.0
    extent = float(max(hi[i] - lo[i] for i in range(3)))
    return max(product) / extent if extent > 0 else 1.0


def load_native_libraries(config: PipelineConfig) -> None:
    """Loads, on this thread, the native libraries the encoders load. The USDZ writer's first
    `import pxr` and meshoptimizer's ctypes library, loaded by two encoder threads at once,
    deadlocked (one thread in dlopen waiting for the GIL that pxr's initialisers need, the other
    holding it while waiting for the dynamic loader's lock: every meshopt run of the CLI hung)."""
    import pxr.Usd  # noqa: F401

    if any(config.compression_of(spec) == "meshopt" for spec in config.lods):
        import meshoptimizer  # noqa: F401


def describe_scene(scene: Scene) -> dict[str, Any]:
    """What of the upload is kept (names, variants, attribution) and dropped, for the seller."""
    variants = scene.extensions.get(VARIANTS, {}).get("variants", [])
    return {
        "unit": scene.source_unit,
        "attribution": dict(scene.asset),
        "nodes": [n.name for n in scene.nodes],
        "variants": [v.get("name") if isinstance(v, dict) else None for v in variants],
        "dropped": [{"what": d.what, "why": d.why} for d in scene.dropped],
    }


def process_file(
    path: Path,
    sku: str,
    config: PipelineConfig,
    progress: Progress | None = None,
    *,
    file_name: str | None = None,
    base_dir: Path | None = None,
    content_hash: str | None = None,
    product_dimensions: tuple[float, float, float] | None = None,
) -> PipelineResult:
    """The LODs and manifest of the model in `path` (named `file_name`, default its own name;
    `content_hash` when the caller hashed it while downloading; `product_dimensions`: the
    catalog's width, height and depth in metres, checked against the model and used to scale
    the AR file). Commerce check errors reject the upload before any LOD is built."""
    report = progress or (lambda _stage, _fraction: None)
    return_large_blocks_to_os()
    name = file_name or path.name
    content_hash = content_hash or hash_file(path)
    report("validate and import", 0.0)
    scene = import_file(path, name, config, base_dir)
    lo, hi = scene.bbox()
    source_triangles = scene.triangle_count
    described = describe_scene(scene)
    report("encode textures", 0.1)
    webp = encode_textures(scene, config)
    report("check", 0.15)
    checked = check_source(scene, product_dimensions, webp[config.lods[0].name])
    if checked.errors:
        raise AssetRejected("; ".join(f.message for f in checked.errors))
    usdz_scale = real_scale(lo, hi, product_dimensions)
    report("simplify", 0.2)
    lods = cascade(scene, config)
    del scene  # the cascade owns it now and lets it go after the first LOD
    # Draco (which releases the GIL) encodes LODs on two threads while meshoptimizer (through
    # ctypes, also without the GIL) simplifies the next one. A LOD is handed to the encoders
    # only once the LOD after it is built, so the two largest simplifications (the source and
    # the high LOD) never run beside an encode: an encode beside them measured 8.2-8.9x the
    # input's size in peak memory on 4.3M triangles, against 6.5-7.1x this way.
    load_native_libraries(config)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="encode") as encoders:
        pending, previous = [], None

        usdz = None

        def hand_over(lod: SimplifiedLod) -> None:
            pending.append(encoders.submit(encode_lod, lod, config, webp.pop(lod.spec.name)))

        for i, lod in enumerate(lods):
            report(f"simplified {lod.spec.name}", 0.2 + 0.6 * (i + 1) / len(config.lods))
            if lod.spec.name == USDZ_LOD:
                usdz = encoders.submit(write_usdz, lod.scene, webp[lod.spec.name], usdz_scale)
            if previous is not None:
                hand_over(previous)
            previous = lod
        if previous is not None:
            hand_over(previous)
        del previous, lod
        report("encode", 0.8)
        outputs = [future.result() for future in pending]
        usdz_data = usdz.result() if usdz is not None else None
    report("done", 1.0)
    order: list[str] = [spec.name for spec in config.lods]
    outputs.sort(key=lambda o: order.index(o.name))
    for output in outputs:
        check_lod(checked, output.name, output.manifest_entry["triangles"], len(output.data))
    manifest = {
        "version": MANIFEST_VERSION,
        "sku": sku,
        "content_hash": content_hash,
        "bbox": {"min": [float(v) for v in lo], "max": [float(v) for v in hi]},
        "units": "m",
        "dimensions_m": [round(float(h - low), 6) for low, h in zip(lo, hi, strict=True)],
        "source": {
            "file": PurePosixPath(name).name,
            "bytes": path.stat().st_size,
            "triangles": source_triangles,
            "unit": described.pop("unit"),
        },
        "lods": [o.manifest_entry for o in outputs],
        **described,
        "check": checked.as_manifest(),
    }
    if usdz_data is not None:
        manifest["ar"] = {
            "usdz": {
                "url": USDZ_NAME,
                "bytes": len(usdz_data),
                "lod": USDZ_LOD,
                "content_type": USDZ_CONTENT_TYPE,
                # One model: AR shows the variant the primitives name (the default one).
                "variant": "default",
            },
            "scene_viewer": {"url": next(o.file_name for o in outputs if o.name == USDZ_LOD)},
        }
    return PipelineResult(content_hash, outputs, manifest, usdz_data)
