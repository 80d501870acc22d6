"""GET /api/products: pages of the active products from the by-status indexes (never a Scan),
newest first, with signed cursors, against DynamoDB Local, Redis and PostgreSQL."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from handlers.cart.limits import PRODUCT_PAGE_DEFAULT, PRODUCT_PAGE_MAX


def _category() -> str:
    """A category of this test alone: the tables are shared by the whole session."""
    return "t" + uuid.uuid4().hex[:12]


def _pages(client: Any, **query: str) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        sent = {**query, **({"cursor": cursor} if cursor else {})}
        reply = client.call("GET", "/api/products", query=sent)
        assert reply.status == 200, reply.body
        pages.append([p["sku"] for p in reply.body["products"]])
        cursor = reply.body["next_cursor"]
        if cursor is None:
            return pages


def test_a_category_is_listed_newest_first_in_pages_that_end_with_no_cursor(client, shop):
    category = _category()
    skus = [f"PAGE-{n}-{category}" for n in range(7)]
    for sku in skus:  # written in order: the last is the newest
        shop.product(sku, category=category)
    shop.product(f"DRAFT-{category}", active=False, category=category)
    pages = _pages(client, category=category, limit="3")
    assert pages == [skus[6:3:-1], skus[3:0:-1], skus[0:1]]


def test_a_full_last_page_says_it_is_the_last(client, shop):
    category = _category()
    for n in range(4):
        shop.product(f"FULL-{n}-{category}", category=category)
    assert [len(p) for p in _pages(client, category=category, limit="2")] == [2, 2]


def test_the_whole_listing_has_no_cap_and_reads_the_index_not_the_table(
    client, shop, _lambda_module
):
    category = _category()
    for n in range(PRODUCT_PAGE_MAX + 5):
        shop.product(f"MANY-{n:03d}-{category}", category=category)
    sent: list[str] = []

    def count(request: Any, **_: Any) -> None:
        sent.append(request.headers["X-Amz-Target"].decode().split(".")[-1])

    dynamodb = _lambda_module.current_services().dynamodb
    dynamodb.meta.events.register("before-send.dynamodb", count)
    try:
        pages = _pages(client, category=category, limit=str(PRODUCT_PAGE_MAX))
        everything = _pages(client)  # no category: the by-status index
    finally:
        dynamodb.meta.events.unregister("before-send.dynamodb", count)
    assert [len(p) for p in pages] == [PRODUCT_PAGE_MAX, 5]
    assert len({sku for page in pages for sku in page}) == PRODUCT_PAGE_MAX + 5
    assert all(len(page) <= PRODUCT_PAGE_DEFAULT for page in everything)
    listed = {sku for page in everything for sku in page}
    assert {sku for page in pages for sku in page} <= listed
    assert "Scan" not in sent and "Query" in sent


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": str(PRODUCT_PAGE_MAX + 1)}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"category": "Not A Slug"}, "category"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"sort": "price"}, "sort"),
    ],
)
def test_bad_list_parameters_are_400_problems_naming_the_parameter(client, query, parameter):
    reply = client.call("GET", "/api/products", query=query)
    assert reply.status == 400
    assert reply.content_type == "application/problem+json"
    assert reply.body["parameter"] == parameter


def test_an_altered_cursor_or_one_of_another_category_is_refused(client, shop):
    category, other = _category(), _category()
    for n in range(3):
        shop.product(f"CUR-{n}-{category}", category=category)
    cursor = client.call("GET", "/api/products", query={"category": category, "limit": "1"}).body[
        "next_cursor"
    ]
    assert cursor is not None
    elsewhere = client.call("GET", "/api/products", query={"category": other, "cursor": cursor})
    assert (elsewhere.status, elsewhere.body["parameter"]) == (400, "cursor")
    body, _, tag = cursor.partition(".")
    key = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    key["updated_at"] = "9999-01-01T00:00:00.000000Z"  # skip ahead: the tag no longer holds
    forged = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=") + "." + tag
    reply = client.call("GET", "/api/products", query={"category": category, "cursor": forged})
    assert (reply.status, reply.body["parameter"]) == (400, "cursor")
    assert "altered" in reply.body["detail"]


def test_an_edit_through_the_product_api_retires_the_cached_pages(client, shop, services):
    category = _category()
    shop.product(f"CACHED-1-{category}", category=category)
    first = client.call("GET", "/api/products", query={"category": category}).body["products"]
    assert [p["sku"] for p in first] == [f"CACHED-1-{category}"]
    shop.product(f"CACHED-2-{category}", category=category)
    # Cached: the new product shows only after the TTL, or at once after an edit's forget().
    again = client.call("GET", "/api/products", query={"category": category}).body["products"]
    assert [p["sku"] for p in again] == [f"CACHED-1-{category}"]
    services.catalog.forget(f"CACHED-1-{category}")
    fresh = client.call("GET", "/api/products", query={"category": category}).body["products"]
    assert [p["sku"] for p in fresh] == [f"CACHED-2-{category}", f"CACHED-1-{category}"]
