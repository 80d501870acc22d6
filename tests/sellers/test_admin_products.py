"""The admin product API: who may call it, what it refuses, what it writes (DynamoDB Local,
PostgreSQL as the cart's role, moto's Cognito tokens), and concurrent editors."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import psycopg
import pytest

from handlers.cart.products.categories import CATEGORIES
from handlers.cart.products.limits import (
    DESCRIPTION_MAX_LENGTH,
    MAX_CATEGORIES,
    NAME_MAX_LENGTH,
    PRICE_MAX_MINOR,
)

PRODUCTS = "/api/admin/products"


def new_product(**overrides):
    body = {
        "sku": f"SKU-{uuid.uuid4().hex[:10]}",
        "name": "Oak chair",
        "description": "A chair of solid oak",
        "category": "furniture",
        "price_minor": 12900,
        "currency": "EUR",
        "stock": 7,
        "dimensions_mm": {"width": 450, "height": 820, "depth": 510},
    }
    return {**body, **overrides}


def stock_in_database(world, sku):
    with psycopg.connect(world.database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT on_hand, catalog_version FROM inventory WHERE sku = %s", (sku,)
        ).fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


@pytest.fixture(scope="module")
def other_seller(issuer):
    return issuer.seller()


@pytest.fixture(scope="module")
def admin(issuer):
    return issuer.admin()


@pytest.fixture
def created(api, seller):
    reply = api.call("POST", PRODUCTS, new_product(), token=seller[1])
    assert reply.status == 201, reply.body
    return reply.body


# -- authorization --------------------------------------------------------------------------------
ROUTES = [
    ("GET", PRODUCTS),
    ("POST", PRODUCTS),
    ("GET", f"{PRODUCTS}/ANY-1"),
    ("PATCH", f"{PRODUCTS}/ANY-1"),
    ("DELETE", f"{PRODUCTS}/ANY-1"),
    ("POST", f"{PRODUCTS}/ANY-1/uploads"),
    ("GET", f"{PRODUCTS}/ANY-1/uploads/current"),
    ("POST", f"{PRODUCTS}/ANY-1/uploads/current/complete"),
    ("DELETE", f"{PRODUCTS}/ANY-1/uploads/current"),
    ("GET", "/api/admin/categories"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_admin_route_refuses_a_request_without_a_token(api, method, path):
    reply = api.call(method, path, {})
    assert reply.status == 401
    assert reply.content_type == "application/problem+json"
    assert "Bearer" in reply.body["detail"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_admin_route_refuses_a_shopper_whose_token_has_no_group(api, issuer, method, path):
    _, shopper = issuer.user()
    reply = api.call(method, path, {}, token=shopper, if_match=1)
    assert reply.status == 403
    assert "'sellers' or 'admins' group" in reply.body["detail"]


def test_a_token_in_another_group_only_is_refused(api, issuer):
    issuer.client.create_group(GroupName="support", UserPoolId=issuer.pool_id)
    _, token = issuer.user("support")
    assert api.call("GET", PRODUCTS, token=token).status == 403


def test_a_forged_token_is_refused(api, seller):
    header, payload, _ = seller[1].split(".")
    reply = api.call("GET", PRODUCTS, token=f"{header}.{payload}.AAAA")
    assert reply.status == 401


def test_another_sellers_product_is_answered_as_missing_on_every_route(
    api, created, seller, other_seller
):
    sku, token = created["sku"], other_seller[1]
    for method, path, body in [
        ("GET", f"{PRODUCTS}/{sku}", None),
        ("PATCH", f"{PRODUCTS}/{sku}", {"name": "Mine now"}),
        ("DELETE", f"{PRODUCTS}/{sku}", None),
        ("POST", f"{PRODUCTS}/{sku}/uploads", {"file_name": "x.glb", "size": 10}),
        ("GET", f"{PRODUCTS}/{sku}/uploads/current", None),
    ]:
        reply = api.call(method, path, body, token=token, if_match=1)
        assert reply.status == 404, (method, path, reply.body)
        assert "among yours" in reply.body["detail"]
    assert api.call("GET", f"{PRODUCTS}/{sku}", token=seller[1]).body["name"] == "Oak chair"


def test_a_seller_cannot_create_for_another_seller_but_an_admin_can(
    api, seller, other_seller, admin
):
    body = new_product(seller=other_seller[0])
    refused = api.call("POST", PRODUCTS, body, token=seller[1])
    assert refused.status == 403
    made = api.call("POST", PRODUCTS, body, token=admin[1])
    assert made.status == 201 and made.body["seller"] == other_seller[0]
    assert api.call("GET", f"{PRODUCTS}/{body['sku']}", token=other_seller[1]).status == 200


def test_an_admin_reads_and_edits_any_sellers_product(api, created, admin):
    sku = created["sku"]
    reply = api.call(
        "PATCH", f"{PRODUCTS}/{sku}", {"price_minor": 9900}, token=admin[1], if_match=1
    )
    assert reply.status == 200 and reply.body["price_minor"] == 9900
    assert reply.body["seller"] == created["seller"]


# -- what a create writes ------------------------------------------------------------------------
def test_a_created_product_is_a_draft_at_version_1_with_its_stock_in_the_database(
    api, created, seller, cart_world
):
    assert created["status"] == "draft" and created["version"] == 1
    assert created["seller"] == seller[0]
    assert created["dimensions_mm"] == {"width": 450, "height": 820, "depth": 510}
    assert created["stock"] == 7
    assert created["asset"] == {"status": "NONE", "reason": None, "manifest_url": None}
    assert stock_in_database(cart_world, created["sku"]) == (7, 1)
    reply = api.call("GET", f"{PRODUCTS}/{created['sku']}", token=seller[1])
    assert reply.headers["ETag"] == '"1"'


def test_the_catalog_item_carries_what_the_asset_service_and_storefront_read(created, shop):
    import boto3

    item = (
        boto3.resource("dynamodb")
        .Table(shop.catalog_table)
        .get_item(Key={"sku": created["sku"]})["Item"]
    )
    assert [str(d) for d in item["dimensions_m"]] == ["0.45", "0.82", "0.51"]
    assert item["active"] is False
    assert item["status_category"] == "draft#furniture"


def test_creating_an_existing_sku_is_a_409_but_retrying_the_same_create_is_not(api, seller):
    body = new_product()
    first = api.call("POST", PRODUCTS, body, token=seller[1])
    again = api.call("POST", PRODUCTS, body, token=seller[1])
    assert (first.status, again.status) == (201, 201)
    assert again.body["version"] == 1
    other = api.call("POST", PRODUCTS, {**body, "name": "Another"}, token=seller[1])
    assert other.status == 409
    assert "exists already" in other.body["detail"]


def test_an_active_product_is_in_the_storefront_at_once(api, created, seller):
    sku = created["sku"]
    reply = api.call(
        "PATCH", f"{PRODUCTS}/{sku}", {"status": "active"}, token=seller[1], if_match=1
    )
    assert reply.status == 200
    public = api.call("GET", f"/api/products/{sku}")
    assert public.status == 200 and public.body["name"] == "Oak chair"


# -- bad input ------------------------------------------------------------------------------------
BAD_CREATES = [
    ({"sku": "has space"}, "sku"),
    ({"sku": "x" * 65}, "sku"),
    ({"name": ""}, "name"),
    ({"name": "n" * (NAME_MAX_LENGTH + 1)}, "name"),
    ({"description": "d" * (DESCRIPTION_MAX_LENGTH + 1)}, "description"),
    ({"category": "weapons"}, "unknown category"),
    ({"price_minor": -1}, "price_minor"),
    ({"price_minor": PRICE_MAX_MINOR + 1}, "price_minor"),
    ({"price_minor": "100"}, "price_minor"),
    ({"price_minor": 10.5}, "price_minor"),
    ({"currency": "eur"}, "currency"),
    ({"stock": -3}, "stock"),
    ({"stock": True}, "stock"),
    ({"dimensions_mm": {"width": 0, "height": 1, "depth": 1}}, "dimensions_mm.width"),
    ({"dimensions_mm": {"width": 1, "height": 1}}, "dimensions_mm.depth"),
    ({"status": "deleted"}, "status"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("change", "named"), BAD_CREATES)
def test_a_bad_create_is_a_422_naming_the_field(api, seller, change, named):
    reply = api.call("POST", PRODUCTS, new_product(**change), token=seller[1])
    assert reply.status == 422, reply.body
    assert reply.content_type == "application/problem+json"
    assert named in reply.body["detail"]


def test_a_missing_field_is_named(api, seller):
    body = new_product()
    del body["price_minor"]
    reply = api.call("POST", PRODUCTS, body, token=seller[1])
    assert reply.status == 422 and "price_minor" in reply.body["detail"]


def test_a_body_that_is_not_json_or_too_large_is_refused(api, seller):
    assert api.call("POST", PRODUCTS, raw="{nope", token=seller[1]).status == 400
    huge = '{"name": "' + "x" * 20_000 + '"}'
    reply = api.call("POST", PRODUCTS, raw=huge, token=seller[1])
    assert reply.status == 413 and "at most 16384" in reply.body["detail"]


def test_a_bad_path_sku_is_a_422(api, seller):
    reply = api.call("GET", f"{PRODUCTS}/bad%20sku", token=seller[1])
    assert reply.status == 422


def test_an_update_without_if_match_is_a_428_and_a_malformed_one_a_400(api, created, seller):
    path = f"{PRODUCTS}/{created['sku']}"
    missing = api.call("PATCH", path, {"name": "x"}, token=seller[1])
    assert missing.status == 428 and "If-Match" in missing.body["detail"]
    malformed = api.call("PATCH", path, {"name": "x"}, token=seller[1], if_match="yesterday")
    assert malformed.status == 400


def test_an_empty_update_is_a_422(api, created, seller):
    reply = api.call("PATCH", f"{PRODUCTS}/{created['sku']}", {}, token=seller[1], if_match=1)
    assert reply.status == 422 and "changes nothing" in reply.body["detail"]


def test_bad_list_parameters_are_refused(api, seller):
    for query, status in [
        ({"status": "gone"}, 422),
        ({"category": "weapons"}, 422),
        ({"limit": "0"}, 422),
        ({"limit": "1000"}, 422),
        ({"cursor": "not-a-cursor"}, 400),
        ({"seller": "someone-else"}, 403),
    ]:
        assert api.call("GET", PRODUCTS, token=seller[1], query=query).status == status, query


# -- updates, archive, versions -------------------------------------------------------------------
def test_an_update_moves_the_version_and_writes_the_stock_at_it(api, created, seller, cart_world):
    path = f"{PRODUCTS}/{created['sku']}"
    reply = api.call(
        "PATCH", path, {"stock": 3, "name": "Oak chair II"}, token=seller[1], if_match=1
    )
    assert reply.status == 200
    assert (reply.body["version"], reply.body["name"], reply.body["stock"]) == (
        2,
        "Oak chair II",
        3,
    )
    assert reply.headers["ETag"] == '"2"'
    assert stock_in_database(cart_world, created["sku"]) == (3, 2)


def test_a_stale_if_match_is_a_412_naming_the_current_version(api, created, seller):
    path = f"{PRODUCTS}/{created['sku']}"
    assert api.call("PATCH", path, {"name": "A"}, token=seller[1], if_match=1).status == 200
    stale = api.call("PATCH", path, {"name": "B"}, token=seller[1], if_match=1)
    assert stale.status == 412
    assert stale.body["current_version"] == 2
    assert api.call("GET", path, token=seller[1]).body["name"] == "A"


def test_a_retried_update_whose_answer_was_lost_answers_as_the_first(api, created, seller):
    path = f"{PRODUCTS}/{created['sku']}"
    first = api.call("PATCH", path, {"stock": 11}, token=seller[1], if_match=1)
    retry = api.call("PATCH", path, {"stock": 11}, token=seller[1], if_match=1)
    assert (first.status, retry.status) == (200, 200)
    assert retry.body["version"] == 2 and retry.body["stock"] == 11


def test_archiving_takes_the_product_out_of_the_storefront(api, created, seller):
    path = f"{PRODUCTS}/{created['sku']}"
    api.call("PATCH", path, {"status": "active"}, token=seller[1], if_match=1)
    reply = api.call("DELETE", path, token=seller[1], if_match=2)
    assert reply.status == 200 and reply.body["status"] == "archived"
    assert api.call("GET", f"/api/products/{created['sku']}").status == 404


def test_ten_concurrent_editors_of_one_version_one_wins_and_no_update_is_lost(
    api, created, seller, cart_world
):
    """Ten editors, each a Lambda container of its own (its own clients and connection, in a
    thread), hold the version they last read and retry after a 412 until their edit lands: per
    version exactly one wins, and all ten edits land in turn."""
    from handlers.cart.api.problems import Problem
    from handlers.cart.products.bodies import ProductUpdate
    from handlers.cart.products.editing import apply_update
    from handlers.cart.settings import Settings
    from handlers.cart.wiring import Services

    sku = created["sku"]
    start = Barrier(10)

    def editor(n: int) -> list[int]:
        services = Services.from_settings(Settings.from_env())
        current = services.products.get(sku)
        lost: list[int] = []
        start.wait()
        while True:
            try:
                item = apply_update(
                    services, current, ProductUpdate(stock=100 + n), int(current["version"])
                )
            except Problem as problem:
                assert problem.status == 412, problem.detail
                lost.append(int(current["version"]))
                current = services.products.get(sku)
                continue
            return [*lost, int(item["version"])]

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(editor, range(10)))
    won = sorted(o[-1] for o in outcomes)
    assert won == list(range(2, 12))  # each version 2..11 won by exactly one editor
    assert sum(len(o) - 1 for o in outcomes) >= 9  # the first round alone loses nine
    final = api.call("GET", f"{PRODUCTS}/{sku}", token=seller[1]).body
    assert final["version"] == 11
    winner_of_last = next(n for n, o in enumerate(outcomes) if o[-1] == 11)
    assert final["stock"] == 100 + winner_of_last
    assert stock_in_database(cart_world, sku) == (100 + winner_of_last, 11)


def test_an_older_stock_write_arriving_late_changes_nothing(cart_world):
    from handlers.cart.stores.inventory_store import write_stock

    sku = f"LATE-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(cart_world.cart_database_url, autocommit=True) as conn:
        assert write_stock(conn, sku, 5, 3)
        assert not write_stock(conn, sku, 9, 2)
        assert not write_stock(conn, sku, 5, 3)  # the same write again
    assert stock_in_database(cart_world, sku) == (5, 3)


# -- listing --------------------------------------------------------------------------------------
def test_a_seller_lists_only_its_own_products_newest_first_page_by_page(api, issuer, other_seller):
    _, token = issuer.seller()
    skus = []
    for n in range(7):
        body = new_product(name=f"Lamp {n}", category="lighting")
        assert api.call("POST", PRODUCTS, body, token=token).status == 201
        skus.append(body["sku"])
    api.call("POST", PRODUCTS, new_product(), token=other_seller[1])
    seen, cursor = [], None
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = api.call("GET", PRODUCTS, token=token, query=query).body
        assert len(page["products"]) <= 3
        seen += [p["sku"] for p in page["products"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(skus))


def test_a_cursor_of_another_sellers_listing_is_refused(api, seller, other_seller):
    for _ in range(2):
        api.call("POST", PRODUCTS, new_product(), token=other_seller[1])
    page = api.call("GET", PRODUCTS, token=other_seller[1], query={"limit": "1"}).body
    assert page["next_cursor"]
    reply = api.call("GET", PRODUCTS, token=seller[1], query={"cursor": page["next_cursor"]})
    assert reply.status == 400 and "another listing" in reply.body["detail"]


def test_an_admin_lists_by_status_and_category(api, admin, seller):
    body = new_product(category="audio", status="active")
    api.call("POST", PRODUCTS, body, token=seller[1])
    page = api.call(
        "GET", PRODUCTS, token=admin[1], query={"status": "active", "category": "audio"}
    ).body
    assert body["sku"] in [p["sku"] for p in page["products"]]
    assert all(p["category"] == "audio" and p["status"] == "active" for p in page["products"])
    drafts = api.call("GET", PRODUCTS, token=admin[1], query={"status": "draft"}).body
    assert body["sku"] not in [p["sku"] for p in drafts["products"]]


def test_the_managed_category_list_is_within_its_limit(api, seller):
    assert len(CATEGORIES) <= MAX_CATEGORIES
    assert len(set(CATEGORIES)) == len(CATEGORIES)
    reply = api.call("GET", "/api/admin/categories", token=seller[1])
    assert reply.body == {"categories": list(CATEGORIES)}
