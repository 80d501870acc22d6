"""Sellers define variants through the product API (DynamoDB Local, PostgreSQL): each is
stored on the catalog item, its stock written to its own line SKU's inventory row at the item's
version, and the storefront's product API lists it."""

from __future__ import annotations

import pytest

from handlers.shared.variants import MAX_VARIANTS
from tests.sellers.test_admin_products import PRODUCTS, new_product, stock_in_database

VARIANTS = [
    {"key": "red", "name": "Red fabric", "stock": 3},
    {"key": "leather", "name": "Leather", "price_minor": 15900, "stock": 1},
]


def test_a_product_created_with_variants_stocks_each_on_its_line_sku(api, seller, cart_world):
    body = new_product(variants=VARIANTS, status="active")
    reply = api.call("POST", PRODUCTS, body, token=seller[1])
    assert reply.status == 201, reply.body
    sku = body["sku"]
    assert reply.body["variants"] == [
        {"key": "red", "name": "Red fabric", "price_minor": None, "stock": 3},
        {"key": "leather", "name": "Leather", "price_minor": 15900, "stock": 1},
    ]
    assert stock_in_database(cart_world, f"{sku}~red") == (3, 1)
    assert stock_in_database(cart_world, f"{sku}~leather") == (1, 1)
    public = api.call("GET", f"/api/products/{sku}").body["variants"]
    assert [(v["sku"], v["price_minor"], v["availability"]) for v in public] == [
        (f"{sku}~red", 12900, "low"),
        (f"{sku}~leather", 15900, "low"),
    ]


def test_an_update_replaces_the_variants_and_writes_their_stock_at_the_new_version(
    api, seller, cart_world
):
    body = new_product(variants=VARIANTS, status="active")
    sku = api.call("POST", PRODUCTS, body, token=seller[1]).body["sku"]
    reply = api.call(
        "PATCH",
        f"{PRODUCTS}/{sku}",
        {"variants": [{"key": "leather", "name": "Leather", "stock": 40}]},
        token=seller[1],
        if_match=1,
    )
    assert reply.status == 200, reply.body
    assert [(v["key"], v["stock"]) for v in reply.body["variants"]] == [("leather", 40)]
    assert stock_in_database(cart_world, f"{sku}~leather") == (40, 2)
    public = api.call("GET", f"/api/products/{sku}").body["variants"]
    assert [(v["key"], v["price_minor"]) for v in public] == [("leather", 12900)]


@pytest.mark.parametrize(
    ("variants", "named"),
    [
        ([VARIANTS[0], {**VARIANTS[1], "key": "red"}], "variant keys must differ; repeated: red"),
        ([{"key": "Red Fabric", "name": "Red"}], "variants.0.key"),
        ([{"key": "red", "name": ""}], "variants.0.name"),
        ([{"key": f"v{n}", "name": f"V{n}"} for n in range(MAX_VARIANTS + 1)], "variants"),
    ],
)
def test_bad_variants_are_a_422_naming_what_is_wrong(api, seller, variants, named):
    reply = api.call("POST", PRODUCTS, new_product(variants=variants), token=seller[1])
    assert reply.status == 422, reply.body
    assert named in reply.body["detail"]
