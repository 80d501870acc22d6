"""One edit of a product: the catalog item at the version the editor read, then its stock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.cart.stores.product_store import EDITABLE, digest, dimensions_m
from handlers.shared.variants import line_sku

if TYPE_CHECKING:
    from handlers.cart.products.bodies import ProductUpdate, VariantSpec
    from handlers.cart.wiring import Services


def apply_update(
    services: Services, current: dict[str, Any], update: ProductUpdate, expected: int
) -> dict[str, Any]:
    """The item after `update` at version `expected` (412 if another edit got there first);
    stock, when sent, is written at the new version."""
    changes: dict[str, Any] = {
        k: v for k, v in update.model_dump(include=set(EDITABLE)).items() if v is not None
    }
    if update.dimensions_mm is not None:
        changes["dimensions_m"] = dimensions_m(update.dimensions_mm.model_dump())
    if update.variants is not None:
        changes["variants"] = [v.stored() for v in update.variants]
    request_digest = digest({"update": update.model_dump(), "from": expected})
    item = services.products.update(current, changes, expected, request_digest)
    if update.stock is not None:
        services.write_stock(item["sku"], update.stock, int(item["version"]))
    write_variant_stock(services, item, update.variants or [])
    services.catalog.forget(item["sku"])
    return item


def write_variant_stock(
    services: Services, item: dict[str, Any], variants: list[VariantSpec]
) -> None:
    """Each variant's stock on its line SKU, as of the item's version (a retry is harmless)."""
    for variant in variants:
        services.write_stock(
            line_sku(item["sku"], variant.key), variant.stock, int(item["version"])
        )
