"""What the storefront may know of stock: in stock, low or sold out, never the count (the count
is a business fact, and an exact one lets anyone watch sales). A SKU without an inventory row
is not for sale, like one at zero: checkout would refuse it."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from handlers.cart.stores.database import Connections

# At or below this many units a product shows as low.
LOW_STOCK_AT: Final = 5


class Availability(StrEnum):
    IN_STOCK = "in_stock"
    LOW = "low"
    SOLD_OUT = "sold_out"


def availability(on_hand: int | None) -> Availability:
    if not on_hand or on_hand <= 0:
        return Availability.SOLD_OUT
    return Availability.LOW if on_hand <= LOW_STOCK_AT else Availability.IN_STOCK


class StockLevels:
    """One read of the inventory for a page of products (strongly consistent: the writer's or
    the region's Aurora, the same rows checkout reserves)."""

    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    def of(self, skus: list[str]) -> dict[str, Availability]:
        if not skus:
            return {}
        rows = (
            self._connections.get()
            .execute("SELECT sku, on_hand FROM inventory WHERE sku = ANY(%s)", (skus,))
            .fetchall()
        )
        found = {sku: int(on_hand) for sku, on_hand in rows}
        return {sku: availability(found.get(sku)) for sku in skus}
