"""docs/search.md's engine cost comparison is offline/cost/search_engines.py's rendering of the
committed price snapshot and search bench results, byte for byte."""

from __future__ import annotations

from offline.cost import search_engines


def test_the_search_cost_figures_in_docs_are_the_cost_models_rendering() -> None:
    assert search_engines.BLOCK.body() == search_engines.current(), (
        f"docs/search.md's search cost figures are stale: run {search_engines.COMMAND}"
    )


def test_the_opensearch_floor_is_two_ocus_a_month_at_the_snapshots_price() -> None:
    book = search_engines.load_snapshot()
    ocu = book.region("opensearch_serverless.ocu_hour", "us-east-1")
    text = search_engines.render(book, None)
    assert f"${2 * ocu * 730 + 0.024:,.2f}" in text
