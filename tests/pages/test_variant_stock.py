"""A product sold in variants is stocked per variant (handlers/shared/variants.py): its page
says in stock when any variant is, whatever its own SKU's row says."""

from __future__ import annotations

from typing import Any

from handlers.pages.app import PageSource
from handlers.shared.catalog import Product
from handlers.shared.variants import Variant

CHAIR = Product("CHAIR-1", "Chair", "", 9900, "EUR", True, "READY", None)
RED, LEATHER = Variant("red", "Red fabric", 9900), Variant("leather", "Leather", 12900)


def _source(stock: dict[str, int]) -> PageSource:
    unused: Any = None  # the catalog and manifests are not read by in_stock
    return PageSource(unused, unused, stock.get)


def test_a_variant_product_is_in_stock_when_one_variant_is_though_its_own_sku_is_not():
    chair = Product(**{**CHAIR.__dict__, "variants": (RED, LEATHER)})
    stock = {"CHAIR-1": 0, "CHAIR-1~red": 0, "CHAIR-1~leather": 2}
    assert _source(stock).in_stock(chair) is True
    assert _source({**stock, "CHAIR-1~leather": 0}).in_stock(chair) is False


def test_a_product_without_variants_is_judged_by_its_own_row():
    assert _source({"CHAIR-1": 0, "CHAIR-1~red": 5}).in_stock(CHAIR) is False
    assert _source({"CHAIR-1": 1}).in_stock(CHAIR) is True
