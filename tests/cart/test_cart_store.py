"""The carts table's layout and rules: one item per cart, expiry, generations, home region,
limits in the write's condition, merge over HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import boto3
import pytest

from handlers.cart.api.owners import Owner
from handlers.cart.limits import GUEST_CART_TTL_DAYS, USER_CART_TTL_DAYS
from handlers.cart.settings import Settings
from handlers.cart.stores.cart_store import (
    ADDED_PREFIX,
    CART_ITEM,
    QUANTITY_PREFIX,
    SKUS,
    Change,
    parse_cart,
)
from handlers.cart.wiring import Services
from handlers.shared.tables import CARTS
from local.resources import delete_tables, ensure_table

NOW = 1_800_000_000


def _item(version=3, generation=1, expires=NOW + 100, lines=(("A", 1, NOW - 10),)):
    item = {
        "cart_id": {"S": "c"},
        "line": {"S": CART_ITEM},
        "version": {"N": str(version)},
        "generation": {"N": str(generation)},
        "expires_at": {"N": str(expires)},
        "currency": {"S": "EUR"},
        "home_region": {"S": "eu-west-1"},
        "merged": {"SS": ["guest#g1"]},
    }
    if lines:
        item[SKUS] = {"SS": [sku for sku, _, _ in lines]}
    for sku, quantity, added in lines:
        item[QUANTITY_PREFIX + sku] = {"N": str(quantity)}
        item[ADDED_PREFIX + sku] = {"N": str(added)}
    return item


def test_lines_are_read_in_the_order_they_were_added():
    state = parse_cart("c", _item(lines=(("B", 2, NOW - 5), ("A", 1, NOW - 9))), NOW)
    assert [(line.sku, line.quantity) for line in state.lines] == [("A", 1), ("B", 2)]
    assert (state.version, state.generation, state.currency) == (3, 1, "EUR")
    assert state.home_region == "eu-west-1" and state.merged == {"guest#g1"}


def test_an_expired_cart_reads_empty_and_starts_a_new_generation():
    # DynamoDB's TTL deletes lazily: the item may still be there after expires_at.
    state = parse_cart("c", _item(version=9, generation=4, expires=NOW), NOW)
    assert state.lines == () and state.currency is None and state.expired
    assert (state.version, state.generation) == (9, 5)
    assert state.merged == {"guest#g1"}  # a merge stays applied once, even across expiry


def test_no_item_is_an_empty_new_cart():
    state = parse_cart("c", None, NOW)
    assert (state.version, state.generation, state.lines, state.currency) == (0, 0, (), None)


def test_a_cart_without_lines_has_no_currency():
    assert parse_cart("c", _item(lines=()), NOW).currency is None


def _raw(cart_env, owner: Owner, table_name: str | None = None) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(table_name or cart_env.tables["carts"])
    key = {"cart_id": owner.cart_id, "line": CART_ITEM}
    item: dict[str, Any] = table.get_item(Key=key, ConsistentRead=True)["Item"]
    return item


def test_writes_stamp_ttl_and_home_region(services, shop, cart_env):
    shop.product("TTL-1")
    for owner, days in (
        (Owner("guest", "b" * 32), GUEST_CART_TTL_DAYS),
        (Owner("user", "ttl-user"), USER_CART_TTL_DAYS),
    ):
        before = int(time.time())
        services.carts.add(owner, "TTL-1", 1)
        item = _raw(cart_env, owner)
        assert before + days * 86400 <= int(item["expires_at"]) <= int(time.time()) + days * 86400
        assert item["home_region"] == "us-east-1"
        assert item[SKUS] == {"TTL-1"} and item[QUANTITY_PREFIX + "TTL-1"] == 1


def test_removing_the_last_line_leaves_no_sku_set(services, shop, cart_env):
    shop.product("GONE-1")
    owner = Owner("user", "empties-cart")
    services.carts.add(owner, "GONE-1", 3)
    view = services.carts.remove(owner, "GONE-1")
    assert view["lines"] == [] and view["version"] == 2
    item = _raw(cart_env, owner)
    assert SKUS not in item and QUANTITY_PREFIX + "GONE-1" not in item
    assert ADDED_PREFIX + "GONE-1" not in item


@pytest.fixture
def carts_without_ttl(cart_env) -> Iterator[str]:
    """A carts table with TTL off: DynamoDB Local's sweeper deletes expired items (at its own
    moment), and this test needs the expired item still there, as DynamoDB may leave it for days."""
    client = boto3.client("dynamodb")
    name = cart_env.tables["carts"] + "-nottl"
    ensure_table(client, replace(CARTS, ttl_attribute=None), name)
    yield name
    delete_tables(client, [name])


def test_an_expired_cart_is_replaced_before_the_next_add(carts_without_ttl, shop, cart_env):
    shop.product("OLD-CART-1")
    shop.product("NEW-CART-1")
    services = Services.from_settings(replace(Settings.from_env(), carts_table=carts_without_ttl))
    owner = Owner("guest", "e" * 32)
    services.carts.add(owner, "OLD-CART-1", 5)
    table = boto3.resource("dynamodb").Table(carts_without_ttl)
    table.update_item(  # as if the TTL passed and DynamoDB has not deleted the item yet
        Key={"cart_id": owner.cart_id, "line": CART_ITEM},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(time.time()) - 1},
    )
    generation = int(_raw(cart_env, owner, carts_without_ttl)["generation"])
    assert services.carts.get(owner)["lines"] == []
    view = services.carts.add(owner, "NEW-CART-1", 1)
    assert [(line["sku"], line["quantity"]) for line in view["lines"]] == [("NEW-CART-1", 1)]
    item = _raw(cart_env, owner, carts_without_ttl)
    assert QUANTITY_PREFIX + "OLD-CART-1" not in item
    assert int(item["generation"]) == generation + 1


def test_stale_version_rewrite_is_replanned_not_lost(services, shop):
    shop.product("RACE-1")
    owner = Owner("user", "stale-writer")
    services.carts.add(owner, "RACE-1", 1)
    calls = []

    def plan(state):
        calls.append(state.version)
        if len(calls) == 1:  # another writer slips in between this read and its write
            services.carts.add(owner, "RACE-1", 1)
        return Change(quantities={"RACE-1": state.quantity("RACE-1") + 10}, currency="EUR")

    final = services.store.mutate(owner, plan)
    assert calls == [1, 2]  # the first write lost the version check and was re-planned
    assert final.quantity("RACE-1") == 12 and final.version == 3
    assert services.store.read(owner.cart_id) == final


def test_merge_on_login_moves_the_guest_cart_and_clears_the_cookie(client, shop, issuer):
    shop.product("HAT-1", 1500)
    cookie = client.call("POST", "/api/cart/items", {"sku": "HAT-1", "quantity": 2}).cookie()
    rachel = issuer.token("rachel@example.com")
    token = rachel.access_token
    reply = client.call("POST", "/api/cart/merge", token=token, cookie=cookie)
    assert reply.status == 200
    assert reply.body["cart_id"] == f"user#{rachel.sub}" and reply.body["total_minor"] == 3000
    assert reply.body["not_merged"] == []
    assert reply.headers["Set-Cookie"].startswith("shop3d_cart=;")
    assert "Max-Age=0" in reply.headers["Set-Cookie"]
    # The guest cart was emptied in the merge's transaction: the guest cannot check it out.
    assert client.call("GET", "/api/cart", cookie=cookie).body["lines"] == []
    assert client.call("POST", "/api/checkout", cookie=cookie).status == 422
    again = client.call("POST", "/api/cart/merge", token=token, cookie=cookie)
    assert again.body["lines"] == reply.body["lines"]  # a retried merge changes nothing
    assert client.call("POST", "/api/cart/merge", token=token).body["total_minor"] == 3000
