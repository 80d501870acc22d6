"""Write the cart API's OpenAPI document to docs/cart-openapi.json (or check it: --check).

The cart Lambda module reads its settings at import; the routes do not depend on them, so
placeholder values stand in for the ones a cell sets."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = REPO / "docs" / "cart-openapi.json"
sys.path.insert(0, str(REPO))

from handlers.shared import env  # noqa: E402

PLACEHOLDERS = {
    "AWS_REGION": "us-east-1",
    env.CATALOG_TABLE: "catalog",
    env.CARTS_TABLE: "carts",
    env.IDEMPOTENCY_TABLE: "idempotency",
    env.CART_COOKIE_KEY: "k" * 48,
}


def generated() -> str:
    for name, value in PLACEHOLDERS.items():
        os.environ.setdefault(name, value)
    from handlers.cart.api.openapi import openapi_json

    entry = importlib.import_module("handlers.cart.api.lambda_entry")
    return openapi_json(entry.app) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args()
    text = generated()
    if args.check:
        if DOCUMENT.read_text(encoding="utf-8") != text:
            print(f"{DOCUMENT} is stale: run python scripts/cart_openapi.py", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(text, encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
