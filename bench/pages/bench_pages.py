"""`python -m bench.pages.bench_pages [--runs N] [--write-docs]`: shopper-perceived speed of the
product pages, in Debian's headless Chromium against the local platform (local.platform.Platform,
the code path of `./shop3d local`: DynamoDB Local, moto's S3, PostgreSQL, the page renderer, the
built storefront), per sample product, network profile and page variant (bench/pages/profiles.py).

Each load is a fresh browser context (empty cache) run by bench/pages/page_speed.mjs, which reads
FCP and LCP (Paint Timing, Largest Contentful Paint), the poster's paint (its LCP entry), the
viewer's User Timing marks (the first 3D frame, each LOD drawn), layout shift, and the bytes on
the wire from CDP (in total and before the first 3D frame). The baseline variant is the
single-page app's loading order, measured in the same run, so the figures print as ratios.
The shipped variant's first visits go on in their context (profiles.VISITS: the page again, then
the other product), so the cache headers show: each repeat load prints beside its first visit.

--write-docs saves the figures to bench/pages/results.json and docs/pages.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import time
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from bench.pages.profiles import PROFILES, SHIPPED, VARIANTS, VISITS, Profile, Variant
from bench.pages.results import ANSWERS, COMMITTED, FIGURES, render
from handlers.asset.config import DEFAULT_LODS, PipelineConfig
from handlers.asset.pipeline import process_file
from local.catalog_file import DEFAULT_CATALOG
from local.platform import Platform, PlatformOptions
from local.servers import REPO_ROOT
from local.storefront_build import STOREFRONT

RUNNER: Final = Path(__file__).with_name("page_speed.mjs")
PRODUCTS: Final = ("IGEA-1", "HELMET-1")
STATE_DIR: Final = REPO_ROOT / ".local" / "bench-pages"  # kept: the assets are made once
# What the published LODs and posters are made by: the state dir is kept only while these are
# unchanged (the platform reprocesses a model only when its manifest is missing, so a kept
# state dir would otherwise measure assets of older code).
PIPELINE_CODE: Final = ("handlers/asset", "handlers/shared")
PIPELINE_KEY_FILE: Final = "asset-pipeline.sha256"
WAIT_MS: Final = 90_000  # per load, for every LOD (the helmet's 1.8 MB on Slow 4G is ~10 s)
POSTER_WAIT_S: Final = 900.0


def _catalog(state_dir: Path) -> Path:
    """The committed catalog with only the benched products, its models dir made absolute."""
    catalog = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    catalog["models_dir"] = str((DEFAULT_CATALOG.parent / catalog["models_dir"]).resolve())
    catalog["products"] = [p for p in catalog["products"] if p["sku"] in PRODUCTS]
    path = state_dir.with_name(state_dir.name + "-catalog.json")
    path.write_text(json.dumps(catalog), encoding="utf-8")
    return path


def preview_bytes(catalog: Path) -> dict[str, dict[str, Any]]:
    """Each product's preview GLB as the asset pipeline writes it with Draco and with meshopt
    (quantized), and which of the two the pipeline's LOD settings ship."""
    spec = json.loads(catalog.read_text(encoding="utf-8"))
    shipped = PipelineConfig().compression_of(DEFAULT_LODS[0])
    sizes: dict[str, dict[str, Any]] = {}
    for product in spec["products"]:
        model = Path(spec["models_dir"]) / product["model"]
        sizes[product["sku"]] = {"shipped": shipped}
        for compression in ("draco", "meshopt"):
            config = replace(PipelineConfig(), compression=compression)
            result = process_file(model, product["sku"], config)
            preview = next(lod for lod in result.lods if lod.name == DEFAULT_LODS[0].name)
            sizes[product["sku"]][compression] = len(preview.data)
    return sizes


def pipeline_key(root: Path = REPO_ROOT) -> str:
    """sha256 over the pipeline's Python files (paths and contents), in a stable order."""
    digest = hashlib.sha256()
    for folder in PIPELINE_CODE:
        for path in sorted((root / folder).rglob("*.py")):
            data = path.read_bytes()
            digest.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def keyed_state_dir(state_dir: Path, key: str) -> bool:
    """Makes `state_dir` belong to pipeline code `key`: emptied when another key (or none)
    made it. Returns whether it starts afresh."""
    stamp = state_dir / PIPELINE_KEY_FILE
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == key:
        return False
    if state_dir.exists():
        shutil.rmtree(state_dir)
    state_dir.mkdir(parents=True)
    stamp.write_text(key + "\n", encoding="utf-8")
    return True


def _wait_for_posters(url: str, skus: list[str]) -> None:
    """The poster job runs after publish, in the background: wait until every page has one."""
    deadline = time.monotonic() + POSTER_WAIT_S
    waiting = list(skus)
    while waiting:
        if time.monotonic() > deadline:
            raise SystemExit(f"no poster for {', '.join(waiting)} after {POSTER_WAIT_S:.0f} s")
        with urllib.request.urlopen(f"{url}products/{waiting[0]}", timeout=30) as reply:  # noqa: S310
            page = reply.read().decode()
        if 'data-testid="poster"' in page:
            waiting.pop(0)
        else:
            time.sleep(2)


def _then(url: str, sku: str, variant: Variant) -> list[dict[str, str]]:
    """The loads after the first in its context: for the shipped variant only, VISITS."""
    if variant.name != SHIPPED:
        return []
    other = PRODUCTS[(PRODUCTS.index(sku) + 1) % len(PRODUCTS)]
    return [
        {"name": v.name, "sku": other, "url": f"{url}products/{other}{variant.query()}"}
        if v.other_product
        else {"name": v.name, "sku": sku}
        for v in VISITS
    ]


def _load(url: str, sku: str, profile: Profile, variant: Variant) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not on PATH (Node.js 20+ runs the browser)")
    then = _then(url, sku, variant)
    spec = {
        "url": f"{url}products/{sku}{variant.query()}",
        "then": then,
        "profile": {
            "latency_ms": profile.latency_ms,
            "down_kbps": profile.down_kbps,
            "up_kbps": profile.up_kbps,
        },
        "headers": variant.headers(profile),
        "spaShell": variant.spa_shell,
        "shellPath": str(STOREFRONT / "dist" / "index.html"),
        "waitMs": WAIT_MS,
    }
    done = subprocess.run(
        [node, str(RUNNER), json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=(1 + len(then)) * WAIT_MS / 1000 + 120,
        check=False,
        cwd=REPO_ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"{RUNNER.name} failed:\n{done.stdout}\n{done.stderr}")
    seen: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    for visit, measured in zip(then, seen.get("then", []), strict=True):
        measured["sku"] = visit["sku"]
    return seen


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the runs (None when a run lacks it), the request counts' lower
    median; the rest from the first. The loads after the first (`then`) likewise, one by one."""
    row = dict(runs[0])
    for key in FIGURES:
        values = [r[key] for r in runs if r.get(key) is not None]
        row[key] = statistics.median(values) if len(values) == len(runs) else None
    row["answered"] = {
        kind: statistics.median_low(r["answered"][kind] for r in runs) for kind in ANSWERS
    }
    row["errors"] = sorted({e for r in runs for e in r["errors"]})
    row["fetched_twice"] = sorted({p for r in runs for p in r["fetched_twice"]})
    row.pop("requests", None)
    if "then" in row:
        row["then"] = [
            _median(list(visits)) for visits in zip(*(r["then"] for r in runs), strict=True)
        ]
    return row


def measure(url: str, runs: int) -> dict[str, Any]:
    loads: dict[str, dict[str, dict[str, Any]]] = {}
    for profile in PROFILES:
        for sku in PRODUCTS:
            key = f"{profile.name}|{sku}"
            loads[key] = {}
            for variant in VARIANTS:
                samples = [_load(url, sku, profile, variant) for _ in range(runs)]
                loads[key][variant.name] = row = _median(samples)
                for name, one in [(variant.name, row)] + [
                    (f"  {v['name']} {v['sku']}", v) for v in row.get("then", [])
                ]:
                    print(
                        f"{profile.name:8} {sku:9} {name:22} first frame "
                        f"{one['first_frame_ms']} ms, LCP {one['lcp_ms']} ms, "
                        f"{one['bytes_before_first_frame']} B before, {one['total_bytes']} B "
                        f"in all, answered {one['answered']}, errors {one['errors']}",
                        flush=True,
                    )
    return loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="loads per cell (median)")
    parser.add_argument("--state-dir", type=Path, default=STATE_DIR)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if keyed_state_dir(args.state_dir, pipeline_key()):
        print(f"{args.state_dir}: made afresh for this asset pipeline code", flush=True)
    args.state_dir.chmod(0o755)  # PostgreSQL runs as its own user
    catalog = _catalog(args.state_dir)
    options = PlatformOptions(state_dir=args.state_dir, catalog=catalog, port=0)
    load_before = os.getloadavg()[0]
    platform = Platform(options).start()
    try:
        _wait_for_posters(platform.url, list(PRODUCTS))
        loads = measure(platform.url, args.runs)
    finally:
        platform.stop()
    load_after = os.getloadavg()[0]
    version = subprocess.run(
        ["/usr/bin/chromium", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "runs": args.runs,
        "chromium": version,
        "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before, 1), round(load_after, 1)],
        "shipped": SHIPPED,
        "loads": loads,
        "preview_bytes": preview_bytes(catalog),
    }
    print(render(results))
    if args.write_docs:
        COMMITTED.publish(results)


if __name__ == "__main__":
    main()
