"""`python -m bench.rerender [asset] [cart] [pages] [payments] [search]`: write the committed benchmark figures'
rendering into docs/ again (after a change to how they are rendered), without re-running."""

from __future__ import annotations

import sys

from bench.asset.results import COMMITTED as ASSET
from bench.cart.results import COMMITTED as CART
from bench.pages.results import COMMITTED as PAGES
from bench.payments.results import COMMITTED as PAYMENTS
from bench.search.results import COMMITTED as SEARCH

BENCHES = {
    "asset": ASSET,
    "cart": CART,
    "pages": PAGES,
    "payments": PAYMENTS,
    "search": SEARCH,
}


def main(argv: list[str]) -> int:
    for name in argv or list(BENCHES):
        BENCHES[name].rerender()
        print(f"wrote the {name} benchmark of docs/{BENCHES[name].block.page.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
