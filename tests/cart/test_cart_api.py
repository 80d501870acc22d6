"""The cart API end to end: ALB events into lambda_handler, against DynamoDB Local, Redis and
PostgreSQL."""

from __future__ import annotations

import pytest

from handlers.cart.api.owners import Owner
from handlers.cart.api.problems import Problem
from handlers.cart.limits import MAX_LINES, MAX_QUANTITY
from handlers.cart.stores.cart_store import Change
from handlers.shared.catalog import CACHE_PREFIX


def test_health_names_the_region(client):
    reply = client.call("GET", "/api/health")
    assert reply.status == 200
    assert reply.body == {"status": "ok", "region": "us-east-1"}


def test_first_cart_use_sets_a_signed_guest_cookie(client):
    reply = client.call("GET", "/api/cart")
    assert reply.status == 200
    assert reply.body["lines"] == [] and reply.body["total_minor"] == 0
    header = reply.headers["Set-Cookie"]
    assert header.startswith("shop3d_cart=")
    for attribute in ("HttpOnly", "Secure", "SameSite=Lax"):
        assert attribute in header


def test_guest_adds_sets_and_removes_items_with_server_side_prices(client, shop):
    shop.product("CHAIR-1", 12500)
    shop.product("LAMP-2", 3999)
    first = client.call("POST", "/api/cart/items", {"sku": "CHAIR-1", "quantity": 2})
    assert first.status == 200
    cookie = first.cookie()
    assert cookie is not None
    # A price, total or owner sent by the client is ignored.
    client.call(
        "POST",
        "/api/cart/items",
        {"sku": "LAMP-2", "quantity": 1, "price_minor": 1, "total_minor": 1, "cart_id": "x"},
        cookie=cookie,
    )
    again = client.call("POST", "/api/cart/items", {"sku": "CHAIR-1", "quantity": 1}, cookie=cookie)
    assert again.body["lines"] == [
        {
            "sku": "CHAIR-1",
            "name": "Product CHAIR-1",
            "variant": None,
            "quantity": 3,
            "unit_price_minor": 12500,
            "line_total_minor": 37500,
        },
        {
            "sku": "LAMP-2",
            "name": "Product LAMP-2",
            "variant": None,
            "quantity": 1,
            "unit_price_minor": 3999,
            "line_total_minor": 3999,
        },
    ]
    assert again.body["total_minor"] == 41499 and again.body["currency"] == "EUR"
    assert again.body["version"] == 3

    put = client.call("PUT", "/api/cart/items/CHAIR-1", {"quantity": 1}, cookie=cookie)
    assert put.status == 200 and put.body["total_minor"] == 12500 + 3999
    deleted = client.call("DELETE", "/api/cart/items/LAMP-2", cookie=cookie)
    assert [line["sku"] for line in deleted.body["lines"]] == ["CHAIR-1"]
    read = client.call("GET", "/api/cart", cookie=cookie)
    assert read.body == deleted.body


def test_signed_in_user_has_own_cart_and_cannot_see_another(client, shop, issuer):
    shop.product("DESK-9", 50000)
    signed_in_alice = issuer.token("alice@example.com")
    alice, bob = signed_in_alice.access_token, issuer.token("bob@example.com").access_token
    added = client.call("POST", "/api/cart/items", {"sku": "DESK-9", "quantity": 1}, token=alice)
    assert added.status == 200 and added.body["cart_id"] == f"user#{signed_in_alice.sub}"
    assert "Set-Cookie" not in added.headers
    assert client.call("GET", "/api/cart", token=bob).body["lines"] == []
    # A cart id in the path or body never selects the cart: bob still gets his own.
    assert client.call("GET", f"/api/cart/user%23{signed_in_alice.sub}", token=bob).status == 404
    assert client.call("DELETE", "/api/cart/items/DESK-9", token=bob).status == 404
    assert client.call("GET", "/api/cart", token=alice).body["total_minor"] == 50000


def test_tampered_guest_cookie_is_refused(client):
    cookie = client.call("GET", "/api/cart").cookie()
    assert cookie is not None
    forged = ("0" * 32) + cookie[32:]
    reply = client.call("GET", "/api/cart", cookie=forged)
    assert reply.status == 401
    assert "shop3d_cart" in reply.body["detail"]


def test_unknown_sku_is_refused(client):
    reply = client.call("POST", "/api/cart/items", {"sku": "NOPE-1", "quantity": 1})
    assert reply.status == 422
    assert reply.content_type == "application/problem+json"
    assert "unknown SKU 'NOPE-1'" in reply.body["detail"]


def test_inactive_sku_is_refused(client, shop):
    shop.product("OLD-1", active=False)
    reply = client.call("POST", "/api/cart/items", {"sku": "OLD-1", "quantity": 1})
    assert reply.status == 422
    assert "not for sale" in reply.body["detail"]


def test_line_quantity_is_capped(client, shop):
    shop.product("CUP-1", 500)
    cookie = client.call("POST", "/api/cart/items", {"sku": "CUP-1", "quantity": 98}).cookie()
    reply = client.call("POST", "/api/cart/items", {"sku": "CUP-1", "quantity": 2}, cookie=cookie)
    assert reply.status == 422
    assert f"at most {MAX_QUANTITY}" in reply.body["detail"]
    assert client.call("GET", "/api/cart", cookie=cookie).body["lines"][0]["quantity"] == 98
    # The boundary itself is allowed: 98 + 1 reaches the cap.
    last = client.call("POST", "/api/cart/items", {"sku": "CUP-1", "quantity": 1}, cookie=cookie)
    assert last.status == 200 and last.body["lines"][0]["quantity"] == MAX_QUANTITY


def test_line_count_is_capped(client, shop, services):
    shop.product("EXTRA-1")
    shop.product("FILL-0")
    owner = Owner("user", "many-lines")
    # Seeded straight into the store in one whole-cart write (the catalog needs only FILL-0).
    skus = [f"FILL-{i}" for i in range(MAX_LINES)]
    services.store.mutate(owner, lambda state: Change(dict.fromkeys(skus, 1), currency="EUR"))
    assert len(services.store.read(owner.cart_id).lines) == MAX_LINES
    with pytest.raises(Problem, match=f"already has {MAX_LINES} lines") as refused:
        services.carts.add(owner, "EXTRA-1", 1)
    assert refused.value.status == 422
    with pytest.raises(Problem, match=f"already has {MAX_LINES} lines"):
        services.carts.set(owner, "EXTRA-1", 1)
    # A line already in the full cart still takes more; the refused writes wrote nothing.
    assert services.carts.add(owner, "FILL-0", 2)["version"] == 2
    assert len(services.store.read(owner.cart_id).lines) == MAX_LINES


def test_one_currency_per_cart(client, shop):
    shop.product("EUR-1")
    shop.product("USD-1", currency="USD")
    cookie = client.call("POST", "/api/cart/items", {"sku": "EUR-1", "quantity": 1}).cookie()
    reply = client.call("POST", "/api/cart/items", {"sku": "USD-1", "quantity": 1}, cookie=cookie)
    assert reply.status == 422 and "one currency per cart" in reply.body["detail"]


def test_unknown_route_is_a_problem_document(client):
    reply = client.call("GET", "/api/nothing-here")
    assert reply.status == 404
    assert reply.content_type == "application/problem+json"
    assert reply.body["detail"] == "no route for GET /api/nothing-here"


def test_products_are_listed_and_read_through_the_cache(client, shop, services):
    shop.product("VASE-1", 2500)
    shop.product("HIDDEN-1", active=False)
    listed = client.call("GET", "/api/products")
    assert listed.status == 200
    listed_skus = [p["sku"] for p in listed.body["products"]]
    assert "VASE-1" in listed_skus and "HIDDEN-1" not in listed_skus
    assert listed_skus == sorted(listed_skus)
    one = client.call("GET", "/api/products/VASE-1")
    assert one.body == {
        "sku": "VASE-1",
        "name": "Product VASE-1",
        "description": "A VASE-1 to turn in 3D",
        "price_minor": 2500,
        "currency": "EUR",
        "asset": {"status": "READY", "manifest_url": "/assets/VASE-1/abc123/manifest.json"},
        "variants": [],
        "availability": "in_stock",
    }
    # Cache-aside: the entry is now in Redis, so a table change shows only after the TTL.
    assert services.redis.get(CACHE_PREFIX + "VASE-1") is not None
    shop.product("VASE-1", 9999)
    assert client.call("GET", "/api/products/VASE-1").body["price_minor"] == 2500
    assert client.call("GET", "/api/products/HIDDEN-1").status == 404
    assert client.call("GET", "/api/products/bad%20sku!").status == 422


def test_pending_asset_has_no_manifest_url(client, shop):
    shop.product("RAW-1", asset_status="PENDING", manifest_key=None)
    assert client.call("GET", "/api/products/RAW-1").body["asset"] == {
        "status": "PENDING",
        "manifest_url": None,
    }


def test_add_is_one_write_plus_the_idempotency_record_and_get_is_one_read(
    client, shop, services, _lambda_module
):
    shop.product("COUNT-1", 800)
    sent: list[str] = []

    def count(request, **_):
        sent.append(request.headers["X-Amz-Target"].decode().split(".")[-1])

    dynamodb = _lambda_module.current_services().dynamodb
    dynamodb.meta.events.register("before-send.dynamodb", count)
    try:
        client.call("GET", "/api/products/COUNT-1")  # the catalog cache is warm from here on
        sent.clear()
        added = client.call(
            "POST",
            "/api/cart/items",
            {"sku": "COUNT-1", "quantity": 2},
            headers={"idempotency-key": "count-add"},
        )
        assert added.status == 200 and added.body["total_minor"] == 1600
        # Idempotency record in progress, the cart's one UpdateItem, the record completed.
        assert sent == ["PutItem", "UpdateItem", "UpdateItem"]
        sent.clear()
        assert client.call("GET", "/api/cart", cookie=added.cookie()).body == added.body
        assert sent == ["GetItem"]
    finally:
        dynamodb.meta.events.unregister("before-send.dynamodb", count)
