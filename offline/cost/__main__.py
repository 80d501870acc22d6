"""`shop3d cost <stack> [--traffic profile.yaml] [--prices snapshot|live] [--json]`, and
`shop3d cost --write-docs` (the figures of docs/plan-and-cost.md)."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

from offline.cost.docs_figures import BLOCK, figures
from offline.cost.estimate import estimate
from offline.cost.live import NoCredentials, live_prices, pricing_client, save_snapshot
from offline.cost.prices import PriceMissing, latest_snapshot, load_snapshot
from offline.cost.report import render, to_json
from offline.cost.savings import savings
from offline.cost.thresholds import config_of, render_thresholds, thresholds
from offline.cost.traffic import DEFAULT_PROFILE, load_profile
from offline.runner import ProgramFailed, run_program
from offline.scope import cell_regions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="shop3d cost",
        description=(
            "Monthly cost estimate per service and region, from the program's resource graph and "
            "a traffic profile. Not a quote: list prices, no free tier, no discounts."
        ),
    )
    parser.add_argument("stack", nargs="?", default="dev", help="stack name (Pulumi.<stack>.yaml)")
    parser.add_argument(
        "--traffic",
        type=Path,
        default=DEFAULT_PROFILE,
        help="traffic profile YAML (default offline/traffic/default.yaml)",
    )
    parser.add_argument(
        "--prices",
        choices=("snapshot", "live"),
        default="snapshot",
        help="snapshot: the latest committed offline/prices/*.json (default); "
        "live: AWS Price List API where possible (needs credentials)",
    )
    parser.add_argument(
        "--snapshot", type=Path, default=None, help="a specific price snapshot file"
    )
    parser.add_argument(
        "--save-snapshot",
        type=Path,
        default=None,
        help="with --prices live: write the prices used to this file",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--items", action="store_true", help="list every line item")
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="write the figures of every stack and profile into docs/plan-and-cost.md",
    )
    args = parser.parse_args(argv)
    if args.write_docs:
        return write_docs()
    try:
        profile = load_profile(args.traffic)
        prices = load_snapshot(args.snapshot or latest_snapshot())
        client = pricing_client() if args.prices == "live" else None  # before the slow run
        run = run_program(args.stack)
        if client is not None:
            prices = live_prices(prices, client, cell_regions(run))
            if args.save_snapshot:
                save_snapshot(prices, args.save_snapshot, datetime.date.today().isoformat())
        result = estimate(run, profile, prices)
        saved = savings(run, profile, prices, result)
        pays = thresholds(config_of(args.stack), profile, prices)
    except (ProgramFailed, FileNotFoundError, ValueError, PriceMissing, NoCredentials) as error:
        print(f"shop3d cost: {error}", file=sys.stderr)
        return 1
    if args.json:
        document = to_json(args.stack, result, saved, profile, prices)
        document["thresholds"] = [vars(t) | {"pays": t.pays} for t in pays]
        print(json.dumps(document, indent=1))
    else:
        print(render(args.stack, result, saved, profile, prices, detail=args.items))
        print("\n".join(render_thresholds(pays)))
    return 0


def write_docs() -> int:
    try:
        BLOCK.write(figures())
    except (ProgramFailed, FileNotFoundError, ValueError, PriceMissing) as error:
        print(f"shop3d cost: {error}", file=sys.stderr)
        return 1
    print(f"wrote the cost figures of docs/{BLOCK.page.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
