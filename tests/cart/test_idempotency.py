"""Idempotency-Key on mutating requests: replay, reuse with another body, concurrent duplicate."""

from __future__ import annotations

import threading

import pytest

from handlers.cart.api.problems import Problem
from handlers.cart.stores.idempotency_store import Request


def test_replay_returns_the_first_response_and_applies_once(client, shop):
    shop.product("SOCK-1", 300)
    key = {"idempotency-key": "add-sock-1"}
    first = client.call("POST", "/api/cart/items", {"sku": "SOCK-1", "quantity": 2}, headers=key)
    cookie = first.cookie()
    replay = client.call(
        "POST", "/api/cart/items", {"sku": "SOCK-1", "quantity": 2}, headers=key, cookie=cookie
    )
    assert replay.status == 200 and replay.body == first.body
    assert client.call("GET", "/api/cart", cookie=cookie).body["lines"][0]["quantity"] == 2


def test_same_key_with_another_body_is_refused(client, shop):
    shop.product("SOCK-2", 300)
    key = {"idempotency-key": "add-sock-2"}
    cookie = client.call(
        "POST", "/api/cart/items", {"sku": "SOCK-2", "quantity": 1}, headers=key
    ).cookie()
    other = client.call(
        "POST", "/api/cart/items", {"sku": "SOCK-2", "quantity": 5}, headers=key, cookie=cookie
    )
    assert other.status == 422
    assert "different request" in other.body["detail"]
    assert client.call("GET", "/api/cart", cookie=cookie).body["lines"][0]["quantity"] == 1


def test_keys_are_scoped_to_their_owner(client, shop, issuer):
    shop.product("SOCK-3", 300)
    key = {"idempotency-key": "shared-key"}
    body = {"sku": "SOCK-3", "quantity": 1}
    for user in ("olivia@example.com", "peggy@example.com"):
        shopper = issuer.token(user)
        reply = client.call(
            "POST", "/api/cart/items", body, headers=key, token=shopper.access_token
        )
        assert reply.body["cart_id"] == f"user#{shopper.sub}"  # not the other's replayed response


def test_concurrent_duplicate_is_a_conflict(services):
    started, release = threading.Event(), threading.Event()
    results: list[object] = []

    def slow() -> dict[str, object]:
        started.set()
        release.wait(10)
        return {"status": 200, "body": {"done": True}}

    request = Request("guest#x", "POST", "/p", "{}")

    def first() -> None:
        results.append(services.idempotency.run("dup-1", request, slow))

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    with pytest.raises(Problem) as duplicate:
        services.idempotency.run("dup-1", request, slow)
    release.set()
    thread.join(10)
    assert duplicate.value.status == 409 and "in progress" in duplicate.value.detail
    assert results == [{"status": 200, "body": {"done": True}}]


def test_a_failed_request_can_be_retried_with_its_key(client, shop, issuer):
    key = {"idempotency-key": "retry-after-422"}
    token = issuer.token("quentin@example.com").access_token
    body = {"sku": "LATER-1", "quantity": 1}
    refused = client.call("POST", "/api/cart/items", body, headers=key, token=token)
    assert refused.status == 422  # errors are not recorded: the same key may try again
    shop.product("LATER-1", 700)
    accepted = client.call("POST", "/api/cart/items", body, headers=key, token=token)
    assert accepted.status == 200 and accepted.body["total_minor"] == 700
