"""Checkout into PostgreSQL: one transaction reserves stock; orders belong to their owner."""

from __future__ import annotations

import boto3
import psycopg

from handlers.cart.stores.cart_store import CART_ITEM
from handlers.cart.stores.database import apply_schema
from handlers.shared.tables import CARTS


def _cart_with(
    client,
    shop,
    sku: str,
    quantity: int,
    *,
    price: int = 2000,
    stock: int = 5,
    token: str | None = None,
) -> str | None:
    shop.product(sku, price)
    shop.stock(sku, stock)
    reply = client.call("POST", "/api/cart/items", {"sku": sku, "quantity": quantity}, token=token)
    assert reply.status == 200, reply.body
    cookie: str | None = reply.cookie()
    return cookie


def test_checkout_creates_a_pending_order_reserves_stock_and_empties_the_cart(client, shop):
    cookie = _cart_with(client, shop, "SOFA-1", 2, price=49900, stock=5)
    reply = client.call("POST", "/api/checkout", cookie=cookie)
    assert reply.status == 201, reply.body
    order = reply.body
    assert order["status"] == "PENDING_PAYMENT"
    assert order["currency"] == "EUR" and order["total_minor"] == 99800
    assert order["lines"] == [
        {
            "sku": "SOFA-1",
            "name": "Product SOFA-1",
            "quantity": 2,
            "unit_price_minor": 49900,
            "line_total_minor": 99800,
        }
    ]
    assert shop.stock("SOFA-1") == 3
    assert client.call("GET", "/api/cart", cookie=cookie).body["lines"] == []
    fetched = client.call("GET", f"/api/orders/{order['order_id']}", cookie=cookie)
    assert fetched.status == 200 and fetched.body == order


def test_checkout_prices_from_the_table_not_the_cache(client, shop):
    cookie = _cart_with(client, shop, "RUG-1", 1, price=1000)
    shop.product("RUG-1", 1500)  # price changed; the cached entry still says 1000
    assert client.call("GET", "/api/cart", cookie=cookie).body["total_minor"] == 1000
    assert client.call("POST", "/api/checkout", cookie=cookie).body["total_minor"] == 1500


def test_insufficient_stock_is_a_conflict_and_reserves_nothing(client, shop):
    shop.product("PEN-1", 100)
    shop.stock("PEN-1", 10)
    cookie = _cart_with(client, shop, "BOOK-1", 3, stock=2)
    client.call("POST", "/api/cart/items", {"sku": "PEN-1", "quantity": 4}, cookie=cookie)
    reply = client.call("POST", "/api/checkout", cookie=cookie)
    assert reply.status == 409
    assert reply.body["detail"] == "insufficient stock for SKU 'BOOK-1': 2 available, 3 requested"
    assert reply.body["available"] == 2
    assert shop.stock("PEN-1") == 10 and shop.stock("BOOK-1") == 2  # rolled back
    assert len(client.call("GET", "/api/cart", cookie=cookie).body["lines"]) == 2


def test_sku_without_inventory_cannot_be_sold(client, shop):
    shop.product("GHOST-1")
    cookie = client.call("POST", "/api/cart/items", {"sku": "GHOST-1", "quantity": 1}).cookie()
    reply = client.call("POST", "/api/checkout", cookie=cookie)
    assert reply.status == 409 and "0 available" in reply.body["detail"]


def test_empty_cart_cannot_check_out(client):
    reply = client.call("POST", "/api/checkout")
    assert reply.status == 422 and "empty" in reply.body["detail"]


def test_product_withdrawn_before_checkout(client, shop):
    cookie = _cart_with(client, shop, "RECALL-1", 1)
    shop.product("RECALL-1", active=False)
    reply = client.call("POST", "/api/checkout", cookie=cookie)
    assert reply.status == 409 and "RECALL-1" in reply.body["detail"]
    assert shop.stock("RECALL-1") == 5


def test_another_shoppers_order_is_not_found(client, shop, issuer):
    alice = issuer.token("alice-orders@example.com").access_token
    _cart_with(client, shop, "TV-1", 1, token=alice)
    order = client.call("POST", "/api/checkout", token=alice).body
    assert client.call("GET", f"/api/orders/{order['order_id']}", token=alice).status == 200
    other = client.call(
        "GET",
        f"/api/orders/{order['order_id']}",
        token=issuer.token("bob@example.com").access_token,
    )
    assert other.status == 404 and other.content_type == "application/problem+json"
    assert client.call("GET", f"/api/orders/{order['order_id']}").status == 404  # a guest
    assert client.call("GET", "/api/orders/not-a-uuid", token=alice).status == 404


def test_checkout_retried_returns_the_same_order(client, shop):
    cookie = _cart_with(client, shop, "MUG-1", 1)
    key = {"idempotency-key": "checkout-once-1"}
    first = client.call("POST", "/api/checkout", cookie=cookie, headers=key)
    again = client.call("POST", "/api/checkout", cookie=cookie, headers=key)
    assert first.status == 201 and again.status == 201
    assert again.body == first.body
    assert shop.stock("MUG-1") == 4 and shop.count_orders("MUG-1") == 1


def test_schema_applies_idempotently(pg_database):
    with psycopg.connect(pg_database, autocommit=True) as conn:
        apply_schema(conn)
        conn.execute("INSERT INTO inventory (sku, on_hand) VALUES ('KEEP-1', 7)")
        apply_schema(conn)
        row = conn.execute("SELECT on_hand FROM inventory WHERE sku = 'KEEP-1'").fetchone()
        assert row == (7,)
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }
        assert tables == {"inventory", "orders", "order_lines"}


def test_a_cart_recreated_after_ttl_deletion_orders_anew(client, shop, issuer, cart_env):
    returning = issuer.token("returning-customer@example.com")
    token = returning.access_token
    _cart_with(client, shop, "LAMP-9", 1, token=token)
    first = client.call("POST", "/api/checkout", token=token).body
    # DynamoDB TTL deletes the whole cart after inactivity; the next cart starts from nothing.
    table = boto3.resource("dynamodb").Table(cart_env.tables[CARTS.logical_name])
    table.delete_item(Key={"cart_id": f"user#{returning.sub}", "line": CART_ITEM})
    client.call("POST", "/api/cart/items", {"sku": "LAMP-9", "quantity": 2}, token=token)
    second = client.call("POST", "/api/checkout", token=token)
    assert second.status == 201 and second.body["order_id"] != first["order_id"]
    assert second.body["lines"][0]["quantity"] == 2
