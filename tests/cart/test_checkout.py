"""Checkout into PostgreSQL: one transaction reserves stock; orders belong to their owner."""

from __future__ import annotations

import boto3
import psycopg

from handlers.cart.stores.availability import LOW_STOCK_AT
from handlers.cart.stores.cart_store import CART_ITEM
from handlers.cart.stores.database import apply_schema
from handlers.cart.stores.order_store import STOCK_HINT_CAP
from handlers.shared.tables import CARTS
from tests.cart.conftest import COOKIE_KEY


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
    assert order["status"] == "PENDING_PAYMENT" and order["payment_status"] == "requires_payment"
    assert order["currency"] == "EUR" and order["total_minor"] == 99800
    # The PaymentIntent's amount is the order's, in minor units, from the server.
    assert order["payment"]["amount_minor"] == 99800 and order["payment"]["currency"] == "eur"
    assert order["payment"]["client_secret"].startswith(order["payment"]["intent_id"])
    assert order["lines"] == [
        {
            "sku": "SOFA-1",
            "name": "Product SOFA-1",
            "variant": None,
            "quantity": 2,
            "unit_price_minor": 49900,
            "line_total_minor": 99800,
        }
    ]
    assert shop.stock("SOFA-1") == 3
    assert client.call("GET", "/api/cart", cookie=cookie).body["lines"] == []
    fetched = client.call("GET", f"/api/orders/{order['order_id']}", cookie=cookie)
    assert fetched.status == 200
    shown = {key: value for key, value in order.items() if key != "payment"}
    assert {key: value for key, value in fetched.body.items() if key != "events"} == shown
    assert [(e["from"], e["to"], e["reason"]) for e in fetched.body["events"]] == [
        (None, "PENDING_PAYMENT", "checkout")
    ]


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
    assert reply.body["detail"] == "not enough stock for SKU 'BOOK-1': at most 2 can be ordered"
    assert reply.body["available"] == 2
    assert shop.stock("PEN-1") == 10 and shop.stock("BOOK-1") == 2  # rolled back
    assert len(client.call("GET", "/api/cart", cookie=cookie).body["lines"]) == 2


def test_a_sku_without_inventory_is_sold_out_and_cannot_be_added(client, shop):
    shop.product("GHOST-1", stock=None)
    reply = client.call("POST", "/api/cart/items", {"sku": "GHOST-1", "quantity": 1})
    assert reply.status == 409 and reply.body["detail"] == (
        "SKU 'GHOST-1' is sold out: it cannot be added to a cart"
    )
    assert client.call("GET", "/api/products/GHOST-1").body["availability"] == "sold_out"


def test_stock_sold_out_after_the_add_is_refused_at_checkout(client, shop):
    cookie = _cart_with(client, shop, "GHOST-2", 1, stock=3)
    shop.stock("GHOST-2", 0)
    reply = client.call("POST", "/api/checkout", cookie=cookie)
    assert reply.status == 409 and "at most 0 can be ordered" in reply.body["detail"]


def test_products_show_availability_without_the_count(client, shop):
    shop.product("AV-IN", stock=50)
    shop.product("AV-LOW", stock=LOW_STOCK_AT)
    shop.product("AV-OUT", stock=0)
    listed = {p["sku"]: p for p in client.call("GET", "/api/products").body["products"]}
    assert [listed[sku]["availability"] for sku in ("AV-IN", "AV-LOW", "AV-OUT")] == [
        "in_stock",
        "low",
        "sold_out",
    ]
    assert not [p for p in listed.values() if {"stock", "on_hand", "available"} & set(p)]
    assert client.call("POST", "/api/cart/items", {"sku": "AV-OUT", "quantity": 1}).status == 409


def test_the_stock_conflict_names_no_count_at_or_above_the_cap(client, shop):
    cookie = _cart_with(client, shop, "CRATE-1", 99, stock=STOCK_HINT_CAP)
    reply = client.call("POST", "/api/checkout", cookie=cookie)
    assert reply.status == 409
    assert reply.body["detail"] == "not enough stock for SKU 'CRATE-1': order fewer"
    assert "available" not in reply.body


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
        assert tables == {
            "inventory",
            "orders",
            "order_lines",
            "order_events",
            "outbox",
            "stripe_events",
            "search_products",
        }


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


def test_checkout_retried_without_a_key_points_to_the_order_it_made(client, shop):
    cookie = _cart_with(client, shop, "KETTLE-1", 1)
    first = client.call("POST", "/api/checkout", cookie=cookie)
    again = client.call("POST", "/api/checkout", cookie=cookie)
    assert first.status == 201 and again.status == 200
    assert again.body["order_id"] == first.body["order_id"]
    assert again.body["payment"]["intent_id"] == first.body["payment"]["intent_id"]
    assert shop.stock("KETTLE-1") == 4 and shop.count_orders("KETTLE-1") == 1


def test_an_item_added_after_checkout_read_the_cart_stays_in_the_cart(client, shop, services):
    """Checkout reads the cart, then writes the order, then clears: an add in between is in
    neither the order nor lost. The add is made inside that window through the store's read."""
    cookie = _cart_with(client, shop, "CHAIR-1", 1)
    shop.product("TABLE-1", 5000)
    shop.stock("TABLE-1", 5)
    from handlers.cart.api.guest_cookie import GuestCookie
    from handlers.cart.api.owners import Owner

    assert cookie is not None
    guest = Owner("guest", GuestCookie(COOKIE_KEY.encode()).guest_id(cookie))
    store = services.orders._store
    read = store.read

    def read_then_add(cart_id):
        state = read(cart_id)
        client.call("POST", "/api/cart/items", {"sku": "TABLE-1", "quantity": 2}, cookie=cookie)
        return state

    store.read = read_then_add
    try:
        status, order = services.orders.checkout(guest)
    finally:
        store.read = read
    assert status == 201 and [line["sku"] for line in order["lines"]] == ["CHAIR-1"]
    lines = client.call("GET", "/api/cart", cookie=cookie).body["lines"]
    assert [(line["sku"], line["quantity"]) for line in lines] == [("TABLE-1", 2)]


def test_a_checkout_email_must_be_an_address(client, shop):
    cookie = _cart_with(client, shop, "VASE-1", 1)
    reply = client.call("POST", "/api/checkout", {"email": "not an address"}, cookie=cookie)
    assert reply.status == 422 and reply.content_type == "application/problem+json"
    ok = client.call("POST", "/api/checkout", {"email": "guest@example.com"}, cookie=cookie)
    assert ok.status == 201
