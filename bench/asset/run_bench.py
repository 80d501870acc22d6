"""Asset pipeline vs `gltf-transform optimize` and `gltfpack`, side by side on the same GLBs.

    bash bench/asset/install.sh && .venv/bin/python -m bench.asset.run_bench [--big] [--matched]
    .venv/bin/python -m bench.asset.run_bench --big --write-docs   # also writes the docs' figures

For every input and LOD the peers get the same targets (simplify ratio and error, texture
size) and WebP textures; gltf-transform compresses each LOD as ours does (`LodSpec.compression`:
Draco, or meshopt with its quantization), gltfpack always with meshopt (-cc).
Printed per run: wall time, peak RSS, bytes per LOD, sampled two-way point-to-surface error
(mean and max, % of the bbox diagonal), draw calls, and our figure as a ratio of each peer's.
Bytes are then compared again at matched measured error (matched_error.py; --matched alone
runs only that); the docs' byte target is judged from that comparison. With
--big, the ~4.3M-triangle input also runs through native gltfpack (Debian's package) when it
is installed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from handlers.asset.config import DEFAULT_LODS, LodSpec

from .inputs import MODELS, WORK, big_input, model_input, read_mesh
from .matched_error import TOLERANCE, bisect_peer
from .results import BLOCK, COMMITTED, RESULTS
from .surface_error import symmetric_error

HERE = Path(__file__).resolve().parent
BIN = HERE / "node_modules" / ".bin"
SMALL_MODELS = ["DamagedHelmet.glb", "beast.obj", "counter.stl", "igea.ply"]


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float


def peak_rss_kb(pid: int) -> int | None:
    """VmHWM of the running process. (rusage's maxrss would include this benchmark's own
    memory: Linux carries the high-water mark across fork and exec.)"""
    try:
        with Path(f"/proc/{pid}/status").open() as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def measure(command: list[str]) -> Run:
    """Wall time and peak RSS of one child process, polling its high-water mark."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, peak_rss_kb(proc.pid) or 0)
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{command[0]} failed: {errors.read().decode()[-2000:]}")
    return Run(seconds, peak / 1024)


def ours(source: Path, out: Path) -> Run:
    return measure([sys.executable, "-m", "handlers.asset", str(source), str(out)])


def gltf_transform(
    source: Path, out: Path, spec: LodSpec, ratio: float | None = None, error: float | None = None
) -> Run:
    """`ratio` / `error` override the LOD's targets (the matched-error bisection lifts the
    error bound so the ratio alone decides)."""
    return measure(
        [
            str(BIN / "gltf-transform"),
            "optimize",
            str(source),
            str(out),
            "--compress",
            spec.compression,
            "--texture-compress",
            "webp",
            "--texture-size",
            str(spec.texture_max_px or 8192),
            "--simplify-ratio",
            str(spec.target_ratio if ratio is None else ratio),
            "--simplify-error",
            str(spec.max_error if error is None else error),
        ]
    )


def gltfpack(source: Path, out: Path, spec: LodSpec) -> Run:
    # The npm (wasm) build of gltfpack has no WebP or KTX2 encoder: its textures stay as
    # uploaded, so its bytes compare with ours only on texture-less models.
    return measure(
        [
            str(BIN / "gltfpack"),
            "-i",
            str(source),
            "-o",
            str(out),
            "-cc",
            "-si",
            str(spec.target_ratio),
            "-se",
            str(spec.max_error),
        ]
    )


def native_gltfpack(source: Path, out: Path, spec: LodSpec) -> Run:
    # Debian's gltfpack 0.18 predates the error bound (-se): it gets the triangle ratio only.
    return measure(
        ["gltfpack", "-i", str(source), "-o", str(out), "-cc", "-si", str(spec.target_ratio)]
    )


def npm_version(package: str) -> str:
    manifest = HERE / "node_modules" / package / "package.json"
    version: str = json.loads(manifest.read_text())["version"]
    return version


def native_gltfpack_version() -> str | None:
    """The Debian package's version, or None when native gltfpack is not installed."""
    if shutil.which("gltfpack") is None:
        return None
    shown = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "gltfpack"], capture_output=True, text=True
    )
    return shown.stdout.strip() or "unknown version"


Mesh = tuple[np.ndarray, np.ndarray]


def draw_calls(path: Path) -> int:
    """Primitives drawn: each node's mesh primitives (a GPU-instanced node draws once each)."""
    data = path.read_bytes()
    (length,) = np.frombuffer(data[12:16], dtype="<u4")
    doc = json.loads(data[20 : 20 + int(length)])
    meshes = doc.get("meshes", [])
    return sum(len(meshes[n["mesh"]]["primitives"]) for n in doc.get("nodes", []) if "mesh" in n)


def error_of(reference: Mesh, path: Path) -> tuple[float, float]:
    return symmetric_error(reference, read_mesh(path))


def bench_input(source: Path, with_error: bool) -> dict[str, Any]:
    """One model: our run (all 3 LODs) and each peer per LOD, with bytes and sampled error."""
    out = Path(tempfile.mkdtemp(dir=WORK))
    reference = read_mesh(source) if with_error else None
    our_run = ours(source, out / "ours")
    lods = []
    for spec in DEFAULT_LODS:
        rows: list[tuple[str, Run | None, Path]] = [
            ("ours", None, out / "ours" / f"{spec.name}.glb")
        ]
        for tool, runner in (("gltf-transform", gltf_transform), ("gltfpack", gltfpack)):
            target = out / f"{tool}-{spec.name}.glb"
            rows.append((tool, runner(source, target, spec), target))
        tools = {}
        for tool, run, path in rows:
            mean, worst = error_of(reference, path) if reference else (float("nan"),) * 2
            tools[tool] = {
                "bytes": path.stat().st_size,
                "draw_calls": draw_calls(path),
                "err_mean_pct": mean,
                "err_max_pct": worst,
                **({"seconds": run.seconds, "rss_mb": run.peak_rss_mb} if run else {}),
            }
        lods.append({"lod": spec.name, "tools": tools})
    shutil.rmtree(out)
    return {
        "model": source.stem,
        "input_mb": source.stat().st_size / 2**20,
        "ours": {"seconds": our_run.seconds, "rss_mb": our_run.peak_rss_mb},
        "lods": lods,
    }


def input_lines(result: dict[str, Any]) -> list[str]:
    """The printed report of one model."""
    size_mb, our_run = result["input_mb"], result["ours"]
    lines = [
        f"\n## {result['model']}: {size_mb * 2**20 / 1e6:.1f} MB input",
        f"ours, all 3 LODs in one run: {our_run['seconds']:6.1f} s, "
        f"peak RSS {our_run['rss_mb']:7.0f} MB ({our_run['rss_mb'] / size_mb:.1f}x the input size)",
        f"{'LOD':>8} {'tool':>15} {'seconds':>8} {'RSS MB':>7} {'bytes':>10} "
        f"{'err mean%':>9} {'err max%':>9} {'bytes ratio':>11} {'err ratio':>9} {'draws':>6}",
    ]
    for lod in result["lods"]:
        mine = lod["tools"]["ours"]
        for tool, row in lod["tools"].items():
            secs = f"{row['seconds']:8.1f}" if "seconds" in row else f"{'(above)':>8}"
            rss = f"{row['rss_mb']:7.0f}" if "rss_mb" in row else f"{'':>7}"
            ratio = "" if tool == "ours" else f"{mine['bytes'] / row['bytes']:11.2f}"
            err_ratio = (
                ""
                if tool == "ours" or not row["err_mean_pct"]
                else f"{mine['err_mean_pct'] / row['err_mean_pct']:9.2f}"
            )
            lines.append(
                f"{lod['lod']:>8} {tool:>15} {secs} {rss} {row['bytes']:10d} "
                f"{row['err_mean_pct']:9.4f} {row['err_max_pct']:9.4f} {ratio:>11} {err_ratio:>9} "
                f"{row['draw_calls']:6d}"
            )
    return lines


def bench_matched(source: Path) -> list[dict[str, Any]]:
    """Bytes at matched measured error, per LOD: gltf-transform's ratio bisected (its error
    bound lifted) until its measured error is ours."""
    out = Path(tempfile.mkdtemp(dir=WORK))
    reference = read_mesh(source)
    ours(source, out / "ours")
    rows = []
    for spec in DEFAULT_LODS:
        ours_file = out / "ours" / f"{spec.name}.glb"
        our_error = error_of(reference, ours_file)[0]

        def encode(ratio: float, path: Path, spec: LodSpec = spec) -> None:
            gltf_transform(source, path, spec, ratio, 1.0)

        peer = bisect_peer(our_error, encode, lambda path: error_of(reference, path)[0], out, spec)
        rows.append(
            {
                "lod": spec.name,
                "ours_bytes": ours_file.stat().st_size,
                "ours_err_mean_pct": our_error,
                "peer_ratio": peer.ratio,
                "peer_bytes": peer.bytes,
                "peer_err_mean_pct": peer.error,
                "matched": peer.matched,
            }
        )
    shutil.rmtree(out)
    return rows


def matched_lines(model: str, rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"\n## {model}: at matched measured error (gltf-transform's ratio bisected, "
        f"error bound lifted; within {TOLERANCE:.0%})",
        f"{'LOD':>8} {'ours bytes':>10} {'ours err%':>9} {'gt ratio':>9} {'gt bytes':>10} "
        f"{'gt err%':>9} {'bytes ratio':>11}",
    ]
    for row in rows:
        ratio = (
            f"{row['ours_bytes'] / row['peer_bytes']:11.2f}"
            if row["matched"]
            else f"{'unmatched':>11}"
        )
        lines.append(
            f"{row['lod']:>8} {row['ours_bytes']:10d} {row['ours_err_mean_pct']:9.4f} "
            f"{row['peer_ratio']:9.4f} {row['peer_bytes']:10d} {row['peer_err_mean_pct']:9.4f} "
            f"{ratio}"
        )
    return lines


def bench_big() -> dict[str, Any]:
    """Time and memory on ~4.3M triangles: our three LODs vs the peers' single LOD each."""
    source = big_input()
    out = Path(tempfile.mkdtemp(dir=WORK))
    high = DEFAULT_LODS[-1]
    runs = {
        "ours (3 LODs)": ours(source, out / "ours"),
        "gltf-transform (1 LOD)": gltf_transform(source, out / "gt.glb", high),
        "gltfpack wasm (1 LOD)": gltfpack(source, out / "gp.glb", high),
    }
    if native_gltfpack_version() is not None:
        runs["gltfpack native (1 LOD)"] = native_gltfpack(source, out / "gpn.glb", high)
    shutil.rmtree(out)
    return {
        "input": source.name,
        "input_mb": source.stat().st_size / 2**20,
        "runs": {name: {"seconds": r.seconds, "rss_mb": r.peak_rss_mb} for name, r in runs.items()},
    }


def big_lines(result: dict[str, Any]) -> list[str]:
    size_mb, runs = result["input_mb"], result["runs"]
    lines = [f"\n## {result['input']}: {size_mb:.0f} MB, ~4.3M triangles (time and memory only)"]
    if "gltfpack native (1 LOD)" not in runs:
        lines.append("native gltfpack not installed (apt-get install gltfpack): not measured")
    base = runs["ours (3 LODs)"]
    for name, run in runs.items():
        lines.append(
            f"{name:>24}: {run['seconds']:7.1f} s  peak RSS {run['rss_mb']:6.0f} MB "
            f"({run['rss_mb'] / size_mb:4.1f}x input)  ours/this time "
            f"{base['seconds'] / run['seconds']:5.2f}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", action="store_true", help="also the ~4.3M-triangle input")
    parser.add_argument("--models", nargs="*", default=SMALL_MODELS)
    parser.add_argument("--no-error", action="store_true", help="skip the error sampling")
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="with --big and the four small models: save the figures to "
        "bench/asset/results.json and write them into docs/asset-service.md",
    )
    parser.add_argument(
        "--matched",
        action="store_true",
        help="compare with gltf-transform at matched measured error instead of equal settings",
    )
    args = parser.parse_args()
    if not (BIN / "gltf-transform").exists():
        sys.exit("run `bash bench/asset/install.sh` first")
    if args.write_docs and (
        not args.big or args.no_error or args.matched or args.models != SMALL_MODELS
    ):
        sys.exit(
            "--write-docs needs the whole run: --big, every small model, the error sampling"
            " (the matched comparison is part of it)"
        )
    WORK.mkdir(parents=True, exist_ok=True)
    peers = {
        "gltf-transform": npm_version("@gltf-transform/cli"),
        "gltfpack (npm, wasm)": npm_version("gltfpack"),
        "gltfpack (native, Debian)": native_gltfpack_version() or "(not installed)",
    }
    print(f"models from {MODELS}; ratios are ours / peer (below 1: ours smaller or lower)")
    print("peers: " + ", ".join(f"{tool} {version}" for tool, version in peers.items()))
    models = []
    for name in args.models:
        source = model_input(name)
        if not args.matched:
            models.append(bench_input(source, not args.no_error))
            print("\n".join(input_lines(models[-1])), flush=True)
        if args.matched or args.write_docs:
            # The committed byte comparison is at matched measured error, not equal settings.
            matched = bench_matched(source)
            print("\n".join(matched_lines(source.name, matched)), flush=True)
            if models:
                models[-1]["matched"] = matched
    big = None
    if args.big:
        load_before = os.getloadavg()[0]
        big = bench_big()
        big["load_average_before_after"] = [load_before, os.getloadavg()[0]]
        print("\n".join(big_lines(big)), flush=True)
    if args.write_docs:
        COMMITTED.publish(
            {
                "date": datetime.date.today().isoformat(),
                "cpus": os.cpu_count(),
                "peers": peers,
                "models": models,
                "big": big,
            }
        )
        print(f"\nwrote bench/asset/{RESULTS.name} and the benchmark of docs/{BLOCK.page.name}")


if __name__ == "__main__":
    main()
