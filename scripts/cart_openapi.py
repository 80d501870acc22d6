"""Write the cart API's OpenAPI document to docs/cart-openapi.json (or check it: --check).
The cart Lambda module builds nothing at import, so no configuration is needed."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = REPO / "docs" / "cart-openapi.json"
sys.path.insert(0, str(REPO))


def generated() -> str:
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
