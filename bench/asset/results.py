"""The asset benchmark's figures as data: `run_bench --big --write-docs` saves one run's results
to bench/asset/results.json and writes their rendering into docs/asset-service.md between
markers; tests/unit/test_bench_docs.py renders the committed results again and compares, byte
for byte. The targets are judged here, from the figures, never typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from offline.doc_blocks import DOCS, CommittedResults, GeneratedBlock, targets_table

from .matched_error import TOLERANCE as MATCH_TOLERANCE

RESULTS = Path(__file__).resolve().parent / "results.json"
COMMAND = "python -m bench.asset.run_bench --big --write-docs"
BLOCK = GeneratedBlock(DOCS / "asset-service.md", "asset-bench", COMMAND)
PEER = "gltf-transform"
OURS_BIG = "ours (3 LODs)"
PEER_BIG = "gltf-transform (1 LOD)"
NATIVE_BIG = "gltfpack native (1 LOD)"
# The order the big runs are listed in (JSON keeps no order): ours first, then the peers.
BIG_RUNS = (OURS_BIG, PEER_BIG, "gltfpack wasm (1 LOD)", NATIVE_BIG)
MAX_RSS_RATIO = 8.0
PREVIEW_MODEL, PREVIEW_MAX_BYTES = "DamagedHelmet", 150_000


def _lod_rows(models: list[dict[str, Any]]) -> tuple[list[str], list[tuple[float, float]]]:
    rows, ratios = [], []
    for model in models:
        for index, lod in enumerate(model["lods"]):
            mine, peer = lod["tools"]["ours"], lod["tools"][PEER]
            ratio = (mine["bytes"] / peer["bytes"], mine["err_mean_pct"] / peer["err_mean_pct"])
            ratios.append(ratio)
            rows.append(
                f"| {model['model'] if index == 0 else ''} | {lod['lod']} | {mine['bytes']:,} | "
                f"{peer['bytes']:,} | {ratio[0]:.2f} | {mine['err_mean_pct']:.2g} | "
                f"{peer['err_mean_pct']:.2g} | {ratio[1]:.2f} |"
            )
    return rows, ratios


def _matched_rows(models: list[dict[str, Any]]) -> tuple[list[str], list[float | None]]:
    """The byte comparison at matched measured error; a ratio is None where gltf-transform
    cannot reach our error even unsimplified (ours is then the more exact at any size)."""
    rows: list[str] = []
    ratios: list[float | None] = []
    for model in models:
        for index, row in enumerate(model["matched"]):
            ratio = row["ours_bytes"] / row["peer_bytes"] if row["matched"] else None
            ratios.append(ratio)
            rows.append(
                f"| {model['model'] if index == 0 else ''} | {row['lod']} | "
                f"{row['ours_bytes']:,} | {row['ours_err_mean_pct']:.2g} | "
                f"{row['peer_ratio']:.4f} | {row['peer_bytes']:,} | "
                f"{row['peer_err_mean_pct']:.2g} | "
                f"{'unmatched' if ratio is None else f'{ratio:.2f}'} |"
            )
    return rows, ratios


def _draw_calls(models: list[dict[str, Any]]) -> list[str]:
    """Draw calls per LOD, ours and the peers' (runs recorded before draws were counted have
    none)."""
    if not all(
        "draw_calls" in t for m in models for lod in m["lods"] for t in lod["tools"].values()
    ):
        return []
    tools = list(models[0]["lods"][0]["tools"])
    return [
        "",
        "Draw calls (primitives drawn) per LOD: " + ", ".join(tools) + ".",
        "",
        "| model | LOD | " + " | ".join(tools) + " |",
        "|---|---|" + "---|" * len(tools),
        *(
            f"| {m['model'] if i == 0 else ''} | {lod['lod']} | "
            + " | ".join(str(lod["tools"][t]["draw_calls"]) for t in tools)
            + " |"
            for m in models
            for i, lod in enumerate(m["lods"])
        ),
    ]


def _bytes_target(
    models: list[dict[str, Any]], ratios: list[tuple[float, float]]
) -> tuple[str, bool, str]:
    """Ours no larger than the peer's: at matched measured error when the run has it, else (an
    older run) at equal settings and equal or lower error."""
    if all("matched" in m for m in models):
        _, matched = _matched_rows(models)
        found = [r for r in matched if r is not None]
        within = sum(1 for r in found if r <= 1)
        spread = f": bytes {min(found):.2f}-{max(found):.2f}x" if found else ""
        return (
            f"each LOD no larger than {PEER}'s at matched measured error",
            within == len(found) and bool(found),
            f"{within} of {len(found)} matched{spread}; {len(matched) - len(found)} unmatched "
            f"({PEER} less exact even unsimplified)",
        )
    smaller = sum(1 for b, e in ratios if b <= 1 and e <= 1)
    byte_ratios, error_ratios = [b for b, _ in ratios], [e for _, e in ratios]
    return (
        f"each LOD no larger than {PEER}'s at equal or lower error",
        smaller == len(ratios),
        f"{smaller} of {len(ratios)}: bytes {min(byte_ratios):.2f}-"
        f"{max(byte_ratios):.2f}x, error {min(error_ratios):.2f}-{max(error_ratios):.2f}x",
    )


def render(results: dict[str, Any]) -> str:
    peers = ", ".join(f"{tool} {version}" for tool, version in sorted(results["peers"].items()))
    rows, ratios = _lod_rows(results["models"])
    big = results["big"]
    size_mb, runs = big["input_mb"], big["runs"]
    ours = runs[OURS_BIG]
    loads = ", ".join(f"{one:.1f}" for one in big["load_average_before_after"])
    lines = [
        f"One run on {results['date']} ({results['cpus']} cores; peers: {peers}). Error is the "
        "sampled two-way point-to-surface distance, mean, as % of the bounding-box diagonal; "
        f"ratio = ours / {PEER}.",
        "",
        f"| model | LOD | ours bytes | {PEER} bytes | bytes ratio | ours err % | gt err % "
        "| err ratio |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Big input ({big['input']}: igea subdivided twice, ~4.3M triangles, {size_mb:.0f} MB; "
        f"1-minute load average {loads}, before and after):",
        "",
        "| run | wall time | peak RSS | RSS / input size | ours / this time |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {run['seconds']:.1f} s | {run['rss_mb']:,.0f} MB | "
            f"{run['rss_mb'] / size_mb:.1f}x | {ours['seconds'] / run['seconds']:.2f} |"
            for name, run in sorted(
                runs.items(),
                key=lambda kv: (BIG_RUNS.index(kv[0]) if kv[0] in BIG_RUNS else 9, kv[0]),
            )
        ),
    ]
    rss_ratio = ours["rss_mb"] / size_mb
    time_ratio = ours["seconds"] / runs[PEER_BIG]["seconds"]
    preview = next(m for m in results["models"] if m["model"] == PREVIEW_MODEL)["lods"][0]
    preview_bytes = preview["tools"]["ours"]["bytes"]
    if all("matched" in m for m in results["models"]):
        matched_rows, _ = _matched_rows(results["models"])
        lines += [
            "",
            f"At matched measured error ({PEER}'s simplify ratio bisected, its error bound "
            f"lifted, until its measured error is within {MATCH_TOLERANCE:.0%} of ours):",
            "",
            f"| model | LOD | ours bytes | ours err % | {PEER} ratio | {PEER} bytes | gt err % "
            "| bytes ratio |",
            "|---|---|---|---|---|---|---|---|",
            *matched_rows,
        ]
    lines += _draw_calls(results["models"])
    lines += [
        "",
    ]
    lines += targets_table(
        [
            (
                f"peak RSS at most {MAX_RSS_RATIO:g}x the input",
                rss_ratio <= MAX_RSS_RATIO,
                f"{rss_ratio:.1f}x",
            ),
            (
                f"three LODs faster than {PEER}'s single-LOD optimize of the big input",
                time_ratio < 1,
                f"{time_ratio:.2f}x its time",
            ),
            (
                f"{PREVIEW_MODEL}'s {preview['lod']} with textures at most "
                f"{PREVIEW_MAX_BYTES:,} bytes",
                preview_bytes <= PREVIEW_MAX_BYTES,
                f"{preview_bytes:,} bytes",
            ),
            _bytes_target(results["models"], ratios),
        ]
    )
    if NATIVE_BIG in runs:
        lines += [
            "",
            f"Against native gltfpack: our three LODs take "
            f"{ours['seconds'] / runs[NATIVE_BIG]['seconds']:.2f}x its single LOD.",
        ]
    return "\n".join(lines)


COMMITTED = CommittedResults(RESULTS, BLOCK, render)
