"""Variants through the commerce path, against DynamoDB Local and PostgreSQL: the product API
lists them, a cart line is a variant's line SKU (`<sku>~<key>`) priced and stocked on its own,
and the order line keeps the variant chosen."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from handlers.cart.limits import LINE_SKU_MAX_LENGTH
from handlers.cart.stores.database import apply_schema
from handlers.shared.variants import VARIANT_KEY_MAX_LENGTH

CHAIR_VARIANTS = [
    {"key": "fabric", "name": "Fabric"},
    {"key": "leather", "name": "Leather", "price_minor": 12900},
]


def _line(sku: str, key: str, name: str, quantity: int, unit: int) -> dict[str, Any]:
    """A cart or order line of variant `key` of product `sku`, as the API answers it."""
    return {
        "sku": f"{sku}~{key}",
        "name": f"Product {sku}",
        "variant": {"key": key, "name": name},
        "quantity": quantity,
        "unit_price_minor": unit,
        "line_total_minor": unit * quantity,
    }


def _chair(shop: Any, sku: str, *, fabric: int = 4, leather: int = 2) -> None:
    shop.product(sku, 9900, stock=0, variants=CHAIR_VARIANTS)
    shop.stock(f"{sku}~fabric", fabric)
    shop.stock(f"{sku}~leather", leather)


def test_the_product_api_lists_each_variant_with_its_line_sku_price_and_availability(client, shop):
    _chair(shop, "CHAIR-V1", fabric=40, leather=0)
    reply = client.call("GET", "/api/products/CHAIR-V1")
    assert reply.status == 200, reply.body
    assert reply.body["variants"] == [
        {
            "key": "fabric",
            "name": "Fabric",
            "sku": "CHAIR-V1~fabric",
            "price_minor": 9900,
            "availability": "in_stock",
        },
        {
            "key": "leather",
            "name": "Leather",
            "sku": "CHAIR-V1~leather",
            "price_minor": 12900,
            "availability": "sold_out",
        },
    ]


def test_a_product_without_variants_lists_none(client, shop):
    shop.product("LAMP-V1", 500)
    assert client.call("GET", "/api/products/LAMP-V1").body["variants"] == []


def test_a_variant_goes_into_the_cart_at_its_own_price_beside_another_variant(client, shop):
    _chair(shop, "CHAIR-V2")
    first = client.call("POST", "/api/cart/items", {"sku": "CHAIR-V2~leather", "quantity": 2})
    assert first.status == 200, first.body
    cookie = first.cookie()
    reply = client.call(
        "POST", "/api/cart/items", {"sku": "CHAIR-V2~fabric", "quantity": 1}, cookie=cookie
    )
    assert reply.status == 200, reply.body
    # Lines added within one second are in SKU order.
    assert reply.body["lines"] == [
        _line("CHAIR-V2", "fabric", "Fabric", 1, 9900),
        _line("CHAIR-V2", "leather", "Leather", 2, 12900),
    ]
    assert reply.body["total_minor"] == 35700
    changed = client.call("PUT", "/api/cart/items/CHAIR-V2~fabric", {"quantity": 3}, cookie=cookie)
    assert changed.status == 200, changed.body
    assert {line["sku"]: line["quantity"] for line in changed.body["lines"]} == {
        "CHAIR-V2~fabric": 3,
        "CHAIR-V2~leather": 2,
    }
    removed = client.call("DELETE", "/api/cart/items/CHAIR-V2~leather", cookie=cookie)
    assert [line["sku"] for line in removed.body["lines"]] == ["CHAIR-V2~fabric"]


@pytest.mark.parametrize(
    ("sku", "detail"),
    [
        (
            "CHAIR-V3",
            "SKU 'CHAIR-V3' comes in variants: add one of CHAIR-V3~fabric, CHAIR-V3~leather",
        ),
        (
            "CHAIR-V3~velvet",
            "SKU 'CHAIR-V3' has no variant 'velvet'; its variants: fabric, leather",
        ),
    ],
)
def test_a_product_with_variants_is_added_only_as_one_of_its_variants(client, shop, sku, detail):
    _chair(shop, "CHAIR-V3")
    reply = client.call("POST", "/api/cart/items", {"sku": sku, "quantity": 1})
    assert reply.status == 422, reply.body
    assert reply.body["detail"] == detail


def test_a_sold_out_variant_is_refused_while_the_other_still_sells(client, shop):
    _chair(shop, "CHAIR-V5", fabric=3, leather=0)
    refused = client.call("POST", "/api/cart/items", {"sku": "CHAIR-V5~leather", "quantity": 1})
    assert refused.status == 409, refused.body
    assert "sold out" in refused.body["detail"]
    sold = client.call("POST", "/api/cart/items", {"sku": "CHAIR-V5~fabric", "quantity": 1})
    assert sold.status == 200, sold.body


def test_a_malformed_line_sku_in_the_path_is_a_422_naming_the_shape(client, shop):
    reply = client.call("DELETE", "/api/cart/items/CHAIR~Not%20A%20Key")
    assert reply.status == 422, reply.body
    assert "optionally '~' and a variant key" in reply.body["detail"]


def test_checkout_reserves_each_variant_from_its_own_row_and_the_order_keeps_the_variant(
    client, shop
):
    _chair(shop, "CHAIR-V6", fabric=4, leather=2)
    cookie = client.call(
        "POST", "/api/cart/items", {"sku": "CHAIR-V6~leather", "quantity": 2}
    ).cookie()
    reply = client.call("POST", "/api/checkout", cookie=cookie)
    assert reply.status == 201, reply.body
    assert reply.body["total_minor"] == 25800
    assert reply.body["lines"] == [_line("CHAIR-V6", "leather", "Leather", 2, 12900)]
    assert shop.stock("CHAIR-V6~leather") == 0
    assert shop.stock("CHAIR-V6~fabric") == 4
    with psycopg.connect(shop.database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT sku, variant_key, variant_name FROM order_lines WHERE order_id = %s",
            (reply.body["order_id"],),
        ).fetchone()
    assert row == ("CHAIR-V6~leather", "leather", "Leather")
    fetched = client.call("GET", f"/api/orders/{reply.body['order_id']}", cookie=cookie)
    assert fetched.body["lines"] == reply.body["lines"]


def test_a_variant_removed_from_the_catalog_is_no_longer_for_sale_at_checkout(client, shop):
    _chair(shop, "CHAIR-V7")
    cookie = client.call(
        "POST", "/api/cart/items", {"sku": "CHAIR-V7~leather", "quantity": 1}
    ).cookie()
    shop.product("CHAIR-V7", 9900, stock=0, variants=CHAIR_VARIANTS[:1])
    reply = client.call("POST", "/api/checkout", cookie=cookie)
    assert reply.status == 409, reply.body
    assert reply.body["skus"] == ["CHAIR-V7~leather"]
    assert shop.stock("CHAIR-V7~leather") == 2  # nothing reserved


def test_the_inventory_takes_the_longest_line_sku_and_the_schema_applies_twice(shop):
    longest = "S" * (LINE_SKU_MAX_LENGTH - VARIANT_KEY_MAX_LENGTH - 1) + "~" + "k" * 24
    assert len(longest) == LINE_SKU_MAX_LENGTH
    with psycopg.connect(shop.database_url, autocommit=True) as conn:
        apply_schema(conn)
    shop.stock(longest, 1)
    assert shop.stock(longest) == 1
