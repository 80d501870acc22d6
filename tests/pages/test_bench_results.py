"""The pages bench's rendering of its repeat loads (bench.pages.results) and the medians the
bench takes of them (bench.pages.bench_pages), on made-up figures: the committed figures'
rendering is compared with the docs in tests/unit/test_bench_docs.py."""

from __future__ import annotations

from typing import Any

from bench.pages.bench_pages import _median
from bench.pages.profiles import AGAIN, NEXT_PRODUCT, PROFILES, SHIPPED, VARIANTS
from bench.pages.results import render

SKUS = ("HELMET-1", "IGEA-1")
HTML = "/products/HELMET-1"
CODE = "/static/modelViewer-CqMBrvMa.js"
LOD = "/assets/HELMET-1/abc/preview.glb"


def _load(**figures: Any) -> dict[str, Any]:
    """One load's figures as page_speed.mjs reports them (after the bench's median)."""
    row: dict[str, Any] = {
        "errors": [],
        "fcp_ms": 500.0,
        "lcp_ms": 800.0,
        "lcp_url": "/assets/HELMET-1/abc/poster-900.0123456789ab.avif",
        "poster_ms": 800.0,
        "first_frame_ms": 2500.0,
        "first_lod": "preview",
        "final_lod": "high",
        "final_lod_ms": 13000.0,
        "bytes_before_first_frame": 320_000,
        "before_by_path": {HTML: 2000, CODE: 157_000, LOD: 113_000},
        "total_bytes": 2_150_000,
        "cls": 0.0,
        "fetched_twice": [],
        "answered": {"cache": 0, "revalidated": 0, "fetched": 16},
        "answered_by_path": {HTML: "fetched", CODE: "fetched", LOD: "fetched"},
    }
    row.update(figures)
    return row


def _results() -> dict[str, Any]:
    """Both products on every profile; HELMET-1's repeat loads on Slow 4G with set figures."""
    loads: dict[str, Any] = {}
    for profile in PROFILES:
        for sku in SKUS:
            other = SKUS[1 - SKUS.index(sku)]
            shipped = _load(
                then=[
                    _load(name=AGAIN.name, sku=sku),
                    _load(name=NEXT_PRODUCT.name, sku=other),
                ]
            )
            loads[f"{profile.name}|{sku}"] = {v.name: _load() for v in VARIANTS} | {
                SHIPPED: shipped
            }
    slow = PROFILES[0].name
    loads[f"{slow}|HELMET-1"][SHIPPED]["then"][0] = _load(
        name=AGAIN.name,
        sku="HELMET-1",
        total_bytes=2_150,
        bytes_before_first_frame=2_000,
        lcp_ms=400.0,
        first_frame_ms=1250.0,
        answered={"cache": 15, "revalidated": 0, "fetched": 1},
        answered_by_path={HTML: "fetched", CODE: "cache", LOD: "cache"},
    )
    # HELMET-1 after IGEA-1: in IGEA-1's context.
    loads[f"{slow}|IGEA-1"][SHIPPED]["then"][1] = _load(
        name=NEXT_PRODUCT.name,
        sku="HELMET-1",
        total_bytes=1_935_000,
        bytes_before_first_frame=160_000,
        first_frame_ms=2000.0,
        answered={"cache": 10, "revalidated": 1, "fetched": 6},
        answered_by_path={HTML: "fetched", CODE: "revalidated", LOD: "fetched"},
    )
    return {
        "date": "2026-12-02",
        "runs": 1,
        "chromium": "Chromium 1",
        "cpus": 2,
        "load_average_before_after": [1.0, 2.0],
        "shipped": SHIPPED,
        "loads": loads,
        "preview_bytes": {sku: {"draco": 1, "meshopt": 2, "shipped": "meshopt"} for sku in SKUS},
    }


def test_each_repeat_load_prints_beside_its_first_visit_as_ratios() -> None:
    text = render(_results())
    table = text.split(f"Returning shoppers on {PROFILES[0].name} (`{SHIPPED}`")[1]
    assert "| HELMET-1 | first visit | 2,150 KB | 320 KB | 0 / 0 / 16 | 0.80 s | 2.50 s |" in table
    assert (
        "| HELMET-1 | again | 2 KB; 1,000x | 2 KB; 160x | 15 / 0 / 1 | 0.40 s; 2.0x | "
        "1.25 s; 2.0x |" in table
    )
    # The product after another one is compared with its own first visit, not the other's.
    assert (
        "| HELMET-1 | after IGEA-1 | 1,935 KB; 1.1x | 160 KB; 2.0x | 10 / 1 / 6 | 0.80 s; 1.0x | "
        "2.00 s; 1.2x |" in table
    )
    assert "| IGEA-1 | after HELMET-1 |" in table
    assert f"Returning shoppers on {PROFILES[1].name}" in text


def test_what_the_repeat_loads_fetched_and_revalidated_is_named_by_part() -> None:
    results = _results()
    for rows in results["loads"].values():
        rows[SHIPPED]["then"][0]["answered_by_path"] = {HTML: "fetched", CODE: "cache"}
    text = render(results)
    assert f"- `{AGAIN.name}`: fetched page HTML; revalidated nothing" in text
    # Over every cell, in the order of the parts (bench.pages.results.PARTS).
    assert (
        f"- `{NEXT_PRODUCT.name}`: fetched storefront code and CSS, LODs, page HTML; "
        "revalidated storefront code and CSS" in text
    )


def test_the_repeat_loads_add_no_target() -> None:
    text = render(_results())
    targets = text.split("| target | status |")[1]
    assert "again" not in targets and "after" not in targets
    assert targets.count("**met**") == 4 * len(SKUS)


def test_the_medians_of_repeat_loads_are_taken_visit_by_visit() -> None:
    def run(first_frame: float, cached: int) -> dict[str, Any]:
        return _load(
            requests=[HTML],
            then=[
                _load(
                    name=AGAIN.name,
                    sku="HELMET-1",
                    first_frame_ms=first_frame,
                    answered={"cache": cached, "revalidated": 0, "fetched": 1},
                    errors=[f"e{cached}"],
                ),
                _load(name=NEXT_PRODUCT.name, sku="IGEA-1", first_frame_ms=2 * first_frame),
            ],
        )

    row = _median([run(1000.0, 14), run(1400.0, 15)])
    again, after = row["then"]
    assert (again["name"], again["first_frame_ms"], after["first_frame_ms"]) == (
        AGAIN.name,
        1200.0,
        2400.0,
    )
    assert again["answered"]["cache"] == 14  # a count stays a count: the lower median
    assert again["errors"] == ["e14", "e15"]
    assert "requests" not in row


def test_a_repeat_loads_errors_and_second_fetches_are_reported() -> None:
    results = _results()
    again = results["loads"][f"{PROFILES[1].name}|IGEA-1"][SHIPPED]["then"][0]
    again.update(errors=["not done within 90000 ms"], fetched_twice=[LOD])
    text = render(results)
    assert f"Fetched twice in one load (a preload not reused): `{LOD}`." in text
    assert "Page errors: not done within 90000 ms." in text
