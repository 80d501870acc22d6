"""The page-speed benchmark's figures as data: `bench_pages --write-docs` saves one run to
bench/pages/results.json and writes their rendering into docs/pages.md between markers;
tests/unit/test_bench_docs.py renders the committed results again and compares.

The targets are judged here, from the figures, on Slow 4G for the variant that ships: LCP at most
2.0 s (the poster), the first 3D frame within 3.5 s, at most 350 KB before it, CLS at most 0.05.
The repeat loads (profiles.VISITS) have no targets: they print beside their first visits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from bench.pages.profiles import AGAIN, BASELINE, NEXT_PRODUCT, PROFILES, VARIANTS, VISITS, Profile
from offline.doc_blocks import DOCS, CommittedResults, GeneratedBlock, targets_table

RESULTS = Path(__file__).resolve().parent / "results.json"
COMMAND = "python -m bench.pages.bench_pages --write-docs"
BLOCK = GeneratedBlock(DOCS / "pages.md", "pages-bench", COMMAND)
# The figures a load reports (page_speed.mjs), medians over the runs.
FIGURES: Final = (
    "fcp_ms",
    "lcp_ms",
    "poster_ms",
    "first_frame_ms",
    "final_lod_ms",
    "bytes_before_first_frame",
    "total_bytes",
    "cls",
)
# Where a load's responses came from (page_speed.mjs `answered`): the browser's cache, a 304
# to its revalidation, the network.
ANSWERS: Final = ("cache", "revalidated", "fetched")
TARGET_PROFILE: Final = "Slow 4G"
LCP_TARGET_MS: Final = 2000.0
FIRST_FRAME_TARGET_MS: Final = 3500.0
BYTES_TARGET: Final = 350 * 1000
CLS_TARGET: Final = 0.05


def _s(ms: float | None) -> str:
    return "-" if ms is None else f"{ms / 1000:.2f} s"


def _kb(size: float | None) -> str:
    return "-" if size is None else f"{size / 1000:,.0f} KB"


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or base is None or value == 0:
        return "-"
    ratio = base / value
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


# What the bytes before the first frame were (page_speed.mjs' per-path counts), by part.
PARTS: Final = (
    ("Draco decoder", lambda path: path.startswith("/static/draco_")),
    ("meshopt decoder", lambda path: path.startswith("/static/meshopt_decoder")),
    ("storefront code and CSS", lambda path: path.startswith("/static/")),
    ("LODs", lambda path: path.endswith(".glb")),
    ("poster", lambda path: "/poster-" in path or "/thumbnail-" in path),
    ("manifest", lambda path: "/manifest" in path),
    ("API", lambda path: path.startswith("/api/")),
    ("page HTML", lambda _path: True),
)


def part_of(path: str) -> str:
    return next(name for name, matches in PARTS if matches(path))


def by_part(before_by_path: dict[str, int]) -> dict[str, int]:
    parts = {name: 0 for name, _ in PARTS}
    for path, size in before_by_path.items():
        parts[part_of(path)] += size
    return parts


def _breakdown(results: dict[str, Any], skus: list[str]) -> list[str]:
    shipped = results["shipped"]
    rows = {
        sku: by_part(results["loads"][f"{TARGET_PROFILE}|{sku}"][shipped]["before_by_path"])
        for sku in skus
    }
    lines = [
        f"What the bytes before the first 3D frame are (`{shipped}`, {TARGET_PROFILE}, the first "
        "load of the cell):",
        "",
        "| part | " + " | ".join(skus) + " |",
        "|---|" + "---|" * len(skus),
    ]
    for name, _ in PARTS:
        lines.append(f"| {name} | " + " | ".join(_kb(rows[sku][name]) for sku in skus) + " |")
    lines.append("")
    previews = results["preview_bytes"]
    lines += [
        "The preview as the asset pipeline writes it with each mesh compression (meshopt: "
        "quantized, KHR_mesh_quantization; the LOD's `compression` in "
        "`handlers/asset/config.py` picks what ships, `shipped` here):",
        "",
        "| product | Draco preview | meshopt preview | shipped |",
        "|---|---|---|---|",
    ]
    for sku in skus:
        sizes = previews[sku]
        lines.append(
            f"| {sku} | {_kb(sizes['draco'])} | {_kb(sizes['meshopt'])} | "
            f"{sizes.get('shipped', 'draco')} |"
        )
    lines.append("")
    return lines


def _profile_line(profile: Profile) -> str:
    return (
        f"**{profile.name}**: {profile.down_kbps / 1000:g} Mbps down, "
        f"{profile.up_kbps / 1000:g} Mbps up, {profile.latency_ms} ms RTT"
    )


def _lcp_element(row: dict[str, Any]) -> str:
    url = row["lcp_url"]
    return "text" if url is None else f"`{url.rsplit('/', 1)[-1]}`"


def _table(loads: dict[str, dict[str, Any]], profile: Profile, sku: str) -> list[str]:
    rows = loads[f"{profile.name}|{sku}"]
    base = rows[BASELINE.name]
    lines = [
        f"{sku} on {profile.name}:",
        "",
        "| variant | FCP | LCP | poster | first 3D frame (LOD; baseline / this) | finest LOD drawn | "
        "bytes before first frame | total bytes | CLS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for variant in VARIANTS:
        row = rows[variant.name]
        first = f"{_s(row['first_frame_ms'])} ({row['first_lod']})"
        if variant is not BASELINE:
            first += f"; {_ratio(row['first_frame_ms'], base['first_frame_ms'])}"
        final = f"{row['final_lod']} {_s(row['final_lod_ms'])}"
        lines.append(
            f"| {variant.name} | {_s(row['fcp_ms'])} | {_s(row['lcp_ms'])} | "
            f"{_s(row['poster_ms'])} | {first} | {final} | "
            f"{_kb(row['bytes_before_first_frame'])} | {_kb(row['total_bytes'])} | "
            f"{row['cls']:.3f} |"
        )
    lines.append("")
    return lines


def _visit(rows: dict[str, dict[str, Any]], sku: str, name: str) -> dict[str, Any]:
    """`sku`'s page as visit `name` of some cell of the profile (`rows`: sku -> shipped row)."""
    return next(
        v for row in rows.values() for v in row["then"] if (v["name"], v["sku"]) == (name, sku)
    )


def _beside(
    row: dict[str, Any], first: dict[str, Any], key: str, show: Callable[[float | None], str]
) -> str:
    """A repeat load's figure and its ratio to the first visit's (first / this)."""
    shown = show(row[key])
    return shown if row is first else f"{shown}; {_ratio(row[key], first[key])}"


def _repeat_table(
    loads: dict[str, Any], shipped: str, profile: Profile, skus: list[str]
) -> list[str]:
    rows = {sku: loads[f"{profile.name}|{sku}"][shipped] for sku in skus}
    lines = [
        f"Returning shoppers on {profile.name} (`{shipped}`; first visit / this):",
        "",
        "| product | load | bytes on the wire | before first 3D frame | "
        "from cache / 304 / fetched | LCP | first 3D frame |",
        "|---|---|---|---|---|---|---|",
    ]
    for sku in skus:
        first = rows[sku]
        after = _visit(rows, sku, NEXT_PRODUCT.name)
        before = next(other for other, row in rows.items() if after in row["then"])
        for label, row in (
            ("first visit", first),
            (AGAIN.name, _visit(rows, sku, AGAIN.name)),
            (f"after {before}", after),
        ):
            answered = " / ".join(str(row["answered"][kind]) for kind in ANSWERS)
            lines.append(
                f"| {sku} | {label} | {_beside(row, first, 'total_bytes', _kb)} | "
                f"{_beside(row, first, 'bytes_before_first_frame', _kb)} | {answered} | "
                f"{_beside(row, first, 'lcp_ms', _s)} | "
                f"{_beside(row, first, 'first_frame_ms', _s)} |"
            )
    lines.append("")
    return lines


def _not_cached(loads: dict[str, Any], shipped: str) -> list[str]:
    """What the repeat loads took from the network, by part, over every profile and product."""
    lines = []
    for visit in VISITS:
        answers = [
            (part_of(path), answer)
            for rows in loads.values()
            for v in rows[shipped]["then"]
            if v["name"] == visit.name
            for path, answer in v["answered_by_path"].items()
        ]
        said = {}
        for kind in ("fetched", "revalidated"):
            names = [name for name, _ in PARTS if (name, kind) in answers]
            said[kind] = ", ".join(names) if names else "nothing"
        lines.append(
            f"- `{visit.name}`: fetched {said['fetched']}; revalidated {said['revalidated']}"
        )
    return lines


def render(results: dict[str, Any]) -> str:
    loads = results["loads"]
    skus = sorted({key.split("|", 1)[1] for key in loads})
    loads_seen = ", ".join(f"{one:.1f}" for one in results["load_average_before_after"])
    lines = [
        f"One run of `python -m bench.pages.bench_pages --runs {results['runs']}` on "
        f"{results['date']}: {results['chromium']} headless (SwiftShader: the CPU draws the "
        f"frames, so the first-frame times move with the machine's load) on {results['cpus']} "
        f"cores shared with other work (1-minute load average {loads_seen}, before and after), "
        "against the local platform; each figure "
        f"the median of {results['runs']} load(s), each first visit in a fresh browser context "
        "(empty cache). "
        "Times from navigation start; bytes on the wire (CDP), gzip as CloudFront compresses.",
        "",
        "Profiles: " + "; ".join(_profile_line(p) for p in PROFILES) + ".",
        "",
        "Variants:",
        "",
        *(f"- `{v.name}`: {v.what}" for v in VARIANTS),
        "",
    ]
    for profile in PROFILES:
        for sku in skus:
            lines += _table(loads, profile, sku)
    # Every load: the first visits and the repeat loads after them.
    every = [
        one for rows in loads.values() for r in rows.values() for one in (r, *r.get("then", []))
    ]
    twice = sorted({p for one in every for p in one["fetched_twice"]})
    errors = sorted({e for one in every for e in one["errors"]})
    lines += [
        "Fetched twice in one load (a preload not reused): "
        + (", ".join(f"`{p}`" for p in twice) if twice else "nothing")
        + ". Page errors: "
        + ("; ".join(errors) if errors else "none")
        + ".",
        "",
    ]
    lines += _breakdown(results, skus)
    shipped = results["shipped"]
    lines += [
        f"Repeat loads: after each first visit of `{shipped}` (the rows above), in the same "
        "browser context, its HTTP cache kept:",
        "",
        *(f"- `{v.name}`: {v.what}" for v in VISITS),
        "",
    ]
    for profile in PROFILES:
        lines += _repeat_table(loads, shipped, profile, skus)
    lines += [
        "What the repeat loads took from the network (every profile and product; the parts as "
        "above):",
        "",
        *_not_cached(loads, shipped),
        "",
    ]
    targets = []
    for sku in skus:
        row = loads[f"{TARGET_PROFILE}|{sku}"][results["shipped"]]
        lcp, first = row["lcp_ms"], row["first_frame_ms"]
        before, cls = row["bytes_before_first_frame"], row["cls"]
        targets += [
            (
                f"{sku}: LCP at most {LCP_TARGET_MS / 1000:g} s on {TARGET_PROFILE} "
                f"(LCP element: {_lcp_element(row)})",
                lcp is not None and lcp <= LCP_TARGET_MS,
                _s(lcp),
            ),
            (
                f"{sku}: first 3D frame within {FIRST_FRAME_TARGET_MS / 1000:g} s",
                first is not None and first <= FIRST_FRAME_TARGET_MS,
                _s(first),
            ),
            (
                f"{sku}: at most {BYTES_TARGET // 1000} KB before the first 3D frame",
                before is not None and first is not None and before <= BYTES_TARGET,
                _kb(before),
            ),
            (f"{sku}: CLS at most {CLS_TARGET:g}", cls <= CLS_TARGET, f"{cls:.3f}"),
        ]
    lines += targets_table(targets)
    return "\n".join(lines)


COMMITTED = CommittedResults(RESULTS, BLOCK, render)
