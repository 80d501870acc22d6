"""The carts table's layout and rules: expiry, generations, home region, merge over HTTP."""

from __future__ import annotations

import time

import boto3

from handlers.cart.carts import HEADER, LINE_PREFIX, Change, parse_cart
from handlers.cart.limits import GUEST_CART_TTL_DAYS, USER_CART_TTL_DAYS
from handlers.cart.owners import Owner

NOW = 1_800_000_000


def _header(version=3, generation=1, expires=NOW + 100):
    return {
        "cart_id": {"S": "c"},
        "line": {"S": HEADER},
        "version": {"N": str(version)},
        "generation": {"N": str(generation)},
        "expires_at": {"N": str(expires)},
        "currency": {"S": "EUR"},
        "home_region": {"S": "eu-west-1"},
    }


def _line(sku, quantity=1, generation=1, expires=NOW + 100, added=NOW - 10):
    return {
        "cart_id": {"S": "c"},
        "line": {"S": LINE_PREFIX + sku},
        "sku": {"S": sku},
        "quantity": {"N": str(quantity)},
        "generation": {"N": str(generation)},
        "expires_at": {"N": str(expires)},
        "added_at": {"N": str(added)},
    }


def test_expired_lines_are_filtered_on_read():
    state = parse_cart("c", [_header(), _line("A"), _line("B", expires=NOW - 1)], NOW)
    assert [line.sku for line in state.lines] == ["A"]


def test_lines_of_an_older_generation_are_gone():
    state = parse_cart(
        "c", [_header(generation=2), _line("A", generation=1), _line("B", 2, 2)], NOW
    )
    assert [(line.sku, line.quantity) for line in state.lines] == [("B", 2)]


def test_an_expired_header_is_an_empty_cart_that_starts_a_new_generation():
    state = parse_cart("c", [_header(version=9, generation=4, expires=NOW), _line("A", 1, 4)], NOW)
    assert state.lines == () and state.version == 9 and state.generation == 5


def test_no_header_is_an_empty_new_cart():
    state = parse_cart("c", [], NOW)
    assert (state.version, state.generation, state.lines, state.currency) == (0, 0, (), None)


def test_writes_stamp_ttl_and_home_region(services, shop, cart_env):
    shop.product("TTL-1")
    table = boto3.resource("dynamodb").Table(cart_env.tables["carts"])
    for owner, days in (
        (Owner("guest", "b" * 32), GUEST_CART_TTL_DAYS),
        (Owner("user", "ttl-user"), USER_CART_TTL_DAYS),
    ):
        before = int(time.time())
        services.carts.add(owner, "TTL-1", 1)
        header = table.get_item(Key={"cart_id": owner.cart_id, "line": HEADER})["Item"]
        line = table.get_item(Key={"cart_id": owner.cart_id, "line": LINE_PREFIX + "TTL-1"})["Item"]
        for item in (header, line):
            expires_at = int(str(item["expires_at"]))
            assert before + days * 86400 <= expires_at <= int(time.time()) + days * 86400
        assert header["home_region"] == "us-east-1"


def test_stale_version_write_is_retried_not_lost(services, shop):
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


def test_merge_on_login_moves_the_guest_cart_and_clears_the_cookie(client, shop, issuer):
    shop.product("HAT-1", 1500)
    cookie = client.call("POST", "/api/cart/items", {"sku": "HAT-1", "quantity": 2}).cookie()
    token = issuer.mint("rachel")
    reply = client.call("POST", "/api/cart/merge", token=token, cookie=cookie)
    assert reply.status == 200
    assert reply.body["cart_id"] == "user#rachel" and reply.body["total_minor"] == 3000
    assert reply.body["not_merged"] == []
    assert reply.headers["Set-Cookie"].startswith("shop3d_cart=;")
    assert "Max-Age=0" in reply.headers["Set-Cookie"]
    again = client.call("POST", "/api/cart/merge", token=token, cookie=cookie)
    assert again.body["lines"] == reply.body["lines"]  # a retried merge changes nothing
    assert client.call("POST", "/api/cart/merge", token=token).body["total_minor"] == 3000
