"""The benchmark figures in docs/ are the benches' own rendering of their committed results
(bench/<name>/results.json, written with the docs by `--write-docs`), byte for byte. A bench is
too slow to re-run here, so this checks the rendering, not the measurement: the figures cannot
be edited by hand, and a change to how a target is judged shows up in the docs."""

from __future__ import annotations

from types import ModuleType

import pytest

from bench.asset import results as asset_results
from bench.cart import results as cart_results
from bench.pages import results as pages_results
from bench.payments import results as payments_results
from bench.search import results as search_results


@pytest.mark.parametrize(
    "bench",
    [asset_results, cart_results, pages_results, payments_results, search_results],
    ids=["asset", "cart", "pages", "payments", "search"],
)
def test_the_benchmark_figures_in_docs_are_the_rendering_of_the_committed_results(
    bench: ModuleType,
) -> None:
    assert bench.RESULTS.exists(), f"{bench.RESULTS} missing: run {bench.COMMAND}"
    assert bench.BLOCK.body() == bench.render(bench.COMMITTED.load()), (
        f"docs/{bench.BLOCK.page.name}'s benchmark figures differ from "
        f"{bench.RESULTS.name}: run {bench.COMMAND} (never edit them by hand)"
    )


def test_a_target_the_figures_miss_is_reported_as_not_met() -> None:
    results = cart_results.COMMITTED.load()
    slow = {
        **results,
        "cold_ms": {
            **results["cold_ms"],
            "import-app (Lambda)": 3 * results["cold_ms"]["import-boto3"],
        },
    }
    assert (
        "| cold import at most 2x `import boto3` (Lambda environment) | **not met**: 3.00x |"
        in (cart_results.render(slow))
    )
