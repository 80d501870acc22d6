"""A shopper chooses a variant, adds it to the cart and orders it, in Chromium. Real pieces
throughout: the chair with two KHR_materials_variants looks published by the asset handler from
an upload (moto's S3 and SQS), the built storefront on the local site server, the cart handler,
DynamoDB Local and PostgreSQL (the variant's own stock row, the order line keeping it)."""

from __future__ import annotations

import time
import uuid

import boto3
import psycopg

from handlers.shared import env
from local.servers import REPO_ROOT
from tests.asset.gltf_factory import commerce_parts
from tests.cart.conftest import Shop
from tests.sellers.browser import run_flow

FLOW = REPO_ROOT / "tests/sellers/variant_flow.mjs"
PUBLISH_TIMEOUT_S = 240.0
# The product's variants are named as the model's variants (tests/asset/gltf_factory.py).
VARIANTS = [
    {"key": "red", "name": "Red fabric"},
    {"key": "leather", "name": "Leather", "price_minor": 12900},
]


def _published(shop: Shop, sku: str, seller: str) -> None:
    """The chair uploaded as a seller's model, waited for until the asset handler made it
    READY."""
    import os

    boto3.client("s3").put_object(
        Bucket=os.environ[env.UPLOADS_BUCKET],
        Key=f"uploads/{seller}/{sku}/chair.glb",
        Body=commerce_parts().glb(),
    )
    table = boto3.resource("dynamodb").Table(shop.catalog_table)
    deadline = time.monotonic() + PUBLISH_TIMEOUT_S
    while time.monotonic() < deadline:
        item = table.get_item(Key={"sku": sku}, ConsistentRead=True).get("Item") or {}
        if item.get("asset_status") == "READY":
            return
        assert item.get("asset_status") != "REJECTED", item.get("asset_reason")
        time.sleep(1)
    raise AssertionError(f"{sku} was not READY within {PUBLISH_TIMEOUT_S:.0f} s")


def test_a_shopper_chooses_a_variant_adds_it_to_the_cart_and_orders_it(site, shop):
    sku = f"CHAIR-{uuid.uuid4().hex[:8].upper()}"
    seller = "seller-variants"
    shop.product(sku, 9900, stock=0, variants=VARIANTS, seller=seller, asset_status="PENDING")
    shop.stock(f"{sku}~red", 3)
    shop.stock(f"{sku}~leather", 2)
    _published(shop, sku, seller)

    seen = run_flow(FLOW, site, sku, "Leather")
    assert seen["errors"] == []
    assert seen["options"] == ["Red fabric, €99.00", "Leather, €129.00"]
    # The first variant in stock is chosen to start with, and the model shows it.
    assert seen["shownFirst"] == "Red fabric" and seen["priceFirst"] == "€99.00"
    # Switching swaps materials: no model is downloaded again.
    assert seen["glbsAfterSwitch"] == 0
    assert seen["price"] == "€129.00"
    assert seen["added"] == {"sku": f"{sku}~leather", "quantity": 1}
    assert seen["cartLine"] == {"sku": f"{sku}~leather", "label": f"Product {sku} (Leather)"}

    with psycopg.connect(shop.database_url, autocommit=True) as conn:
        line = conn.execute(
            "SELECT sku, variant_key, variant_name, unit_price_minor FROM order_lines "
            "WHERE order_id = %s",
            (seen["orderId"],),
        ).fetchone()
    assert line == (f"{sku}~leather", "leather", "Leather", 12900)
    assert shop.stock(f"{sku}~leather") == 1 and shop.stock(f"{sku}~red") == 3
