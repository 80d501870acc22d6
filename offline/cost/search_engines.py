"""`python -m offline.cost.search_engines [--write-docs]`: what search costs on Aurora (the
engine shop3d uses) against OpenSearch Serverless, from the committed price snapshot, and the
point at which OpenSearch Serverless would pay; written into docs/search.md between markers
(tests/unit/test_search_cost_docs.py renders it again and compares).

The comparison per region, since each region searches its own copy:
- Aurora: search adds no instance: it reads the region's existing cluster (the reader endpoint).
  What it adds is load; the figure is what one more ACU of that load costs.
- OpenSearch Serverless: a collection per region, billed from its floor: 0.5 OCU for indexing
  and 0.5 for search, each doubled by the standby replica in production (redundancy on), so
  2 OCUs; 1 OCU with redundancy off (dev). Plus managed storage.
OpenSearch pays once search needs more extra Aurora capacity than its floor costs: that many
ACUs of search load, whose query rate comes from the bench's measured time per query.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Final

from offline.cost.estimate import HOURS
from offline.cost.prices import REFERENCE_REGION, PriceBook, load_snapshot
from offline.doc_blocks import DOCS, GeneratedBlock

COMMAND: Final = "python -m offline.cost.search_engines --write-docs"
BLOCK: Final = GeneratedBlock(DOCS / "search.md", "search-cost", COMMAND)
BENCH_RESULTS: Final = Path(__file__).resolve().parents[2] / "bench" / "search" / "results.json"
REGIONS: Final = ("us-east-1", "eu-west-1", "ap-southeast-2")
OCU_FLOOR: Final = {"production (redundancy on)": 2.0, "dev (redundancy off)": 1.0}
# The search index of 100,000 products (the bench's catalog) is well under a gigabyte; storage
# is priced at one gigabyte per region, a rounding error beside the floor.
INDEX_GB: Final = 1.0


def _price(book: PriceBook, key: str, region: str) -> tuple[float, bool]:
    """The price in `region`, or the reference region's (and True) where the snapshot has none."""
    table = book.regional.get(region, {})
    if key in table:
        return table[key], False
    return book.region(key, REFERENCE_REGION), True


def render(book: PriceBook, seconds_per_query: float | None) -> str:
    lines = [
        f"Prices from the snapshot of {book.as_of} (offline/prices/); per region and month of "
        f"{HOURS:g} hours.",
        "",
        "| region | Aurora: one more ACU of search load | OpenSearch Serverless floor, "
        + " / ".join(OCU_FLOOR)
        + " | break-even: extra Aurora ACUs |",
        "|---|---|---|---|",
    ]
    substituted = False
    floors: list[float] = []
    for region in REGIONS:
        acu = book.region("aurora.acu_hour", region) * HOURS
        ocu, sub_ocu = _price(book, "opensearch_serverless.ocu_hour", region)
        storage, sub_storage = _price(book, "opensearch_serverless.storage_gb_month", region)
        substituted |= sub_ocu or sub_storage
        costs = [n * ocu * HOURS + INDEX_GB * storage for n in OCU_FLOOR.values()]
        floors.append(costs[0] / acu)
        mark = " (us-east-1 rates)" if sub_ocu else ""
        lines.append(
            f"| {region} | ${acu:,.2f} | "
            + " / ".join(f"${c:,.2f}" for c in costs)
            + f"{mark} | {costs[0] / acu:.1f} |"
        )
    lines.append("")
    if substituted:
        lines.append(
            "The snapshot has OpenSearch Serverless prices for us-east-1 only; the other regions "
            "are priced at its rates (marked)."
        )
        lines.append("")
    if seconds_per_query is not None:
        # One ACU is about 2 GiB of memory and its share of CPU; counted here as a quarter of a
        # vCPU (Aurora does not publish the ratio), so an ACU serves 0.25 / t queries a second.
        per_acu = 0.25 / seconds_per_query
        least = min(floors)
        lines.append(
            f"At the bench's p50 of {seconds_per_query * 1000:.1f} ms a query (one core each), "
            f"one ACU of search load (taken as a quarter of a vCPU) serves about {per_acu:.0f} "
            f"queries a second; OpenSearch Serverless's production floor buys {least:.1f} ACUs "
            f"or more, so it would pay past about {least * per_acu:.0f} search queries a second "
            "per region, sustained."
        )
    return "\n".join(lines)


def _bench_seconds_per_query() -> float | None:
    if not BENCH_RESULTS.exists():
        return None
    results = json.loads(BENCH_RESULTS.read_text())
    p50_ms: float = results["latency"]["store"][0]
    return p50_ms / 1000


def current() -> str:
    return render(load_snapshot(), _bench_seconds_per_query())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    text = current()
    print(text)
    if args.write_docs:
        BLOCK.write(text)
        print(f"wrote docs/{BLOCK.page.name}")


if __name__ == "__main__":
    main()
