"""Search against the real servers: catalog items written to DynamoDB Local reach the search
rows through the table's stream and the projection handler (local/search_stream.py), and the
cart Lambda answers GET /api/search from PostgreSQL. Each test uses its own category, so the
module's shared catalog never mixes tests."""

from __future__ import annotations

import base64
import json
import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from handlers.shared.tables import CATALOG
from local.lambda_runtime import LambdaContext, alb_event
from local.resources import delete_tables, ensure_tables
from local.search_stream import CatalogStream
from tests.cart.conftest import Reply
from tests.cart.search_catalog import Catalog
from tests.conftest import unique_prefix


@pytest.fixture
def catalog(cart_env, catalog_stream) -> Catalog:
    return Catalog(cart_env.tables[CATALOG.logical_name], catalog_stream)


def _search(client, **params: Any) -> Reply:
    """GET /api/search as the ALB sends it: query values URL-encoded, as the browser sent them."""
    query = {k: quote(str(v)) for k, v in params.items()}
    event = alb_event("GET", "/api/search", headers={"host": "shop.example"}, query=query)
    response = client.module.lambda_handler(event, LambdaContext())
    return Reply(response["statusCode"], response.get("headers", {}), json.loads(response["body"]))


def _names(reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [r["name"] for r in reply.body["results"]]


def test_a_catalog_item_becomes_searchable_through_the_stream(client, catalog) -> None:
    catalog.put("lamp", "Brass desk lamp")
    assert _names(_search(client, q="brass", category=catalog.category)) == []
    catalog.sync()
    assert _names(_search(client, q="brass", category=catalog.category)) == ["Brass desk lamp"]


def test_a_stream_first_read_while_empty_still_projects_the_first_write(
    client, catalog, catalog_stream
) -> None:
    """DynamoDB Local refuses the next iterator of a shard read while empty once a record
    arrives (TrimmedDataAccessException; seen with the tables made together, as the platform
    makes them): the poller opens the shard again after the last record it read."""
    dynamodb = boto3.client("dynamodb")
    tables = ensure_tables(dynamodb, unique_prefix("empty"))
    name = tables[CATALOG.logical_name]
    try:
        fresh = CatalogStream(
            dynamodb, boto3.client("dynamodbstreams"), name, catalog_stream._connections
        )
        assert fresh.poll() == 0
        empty = Catalog(name, fresh)
        empty.category = catalog.category
        empty.put("first", "Pewter candlestick")
        assert fresh.poll() == 1
        assert _names(_search(client, q="pewter", category=catalog.category)) == [
            "Pewter candlestick"
        ]
        empty.put("second", "Pewter bowl")
        assert fresh.drain() == 1
    finally:
        delete_tables(dynamodb, tables.values())


def test_the_exact_name_comes_first(client, catalog) -> None:
    catalog.put("a", "Bike helmet mount", description="holds a bike helmet")
    catalog.put("b", "Helmet bag for the bike")
    catalog.put("c", "Bike helmet")
    catalog.put("d", "Bike light", description="fits any bike helmet")
    catalog.sync()
    names = _names(_search(client, q="bike helmet", category=catalog.category))
    assert names[0] == "Bike helmet"
    assert set(names) == {
        "Bike helmet mount",
        "Helmet bag for the bike",
        "Bike helmet",
        "Bike light",
    }


def test_a_typo_still_finds_the_product(client, catalog) -> None:
    catalog.put("h", "Carbon helmet")
    catalog.put("g", "Leather gloves")
    catalog.sync()
    assert _names(_search(client, q="helmt", category=catalog.category)) == ["Carbon helmet"]


def test_a_prefix_finds_products_as_the_shopper_types(client, catalog) -> None:
    catalog.put("s", "Walnut sideboard")
    catalog.put("t", "Walnut table")
    catalog.sync()
    assert sorted(_names(_search(client, q="walnut side", category=catalog.category))) == [
        "Walnut sideboard"
    ]
    assert sorted(_names(_search(client, q="wal", category=catalog.category))) == [
        "Walnut sideboard",
        "Walnut table",
    ]


def test_the_category_filter_is_exact_and_facets_count_every_category(client, catalog) -> None:
    other = Catalog(catalog.table.name, catalog.stream)
    word = f"w{uuid.uuid4().hex[:8]}"
    catalog.put("1", f"{word} chair")
    catalog.put("2", f"{word} stool")
    other.put("3", f"{word} chair")
    catalog.sync()
    reply = _search(client, q=word, category=catalog.category)
    assert sorted(_names(reply)) == [f"{word} chair", f"{word} stool"]
    assert all(r["category"] == catalog.category for r in reply.body["results"])
    assert reply.body["facets"]["categories"] == {catalog.category: 2, other.category: 1}
    assert reply.body["facets"]["exact"] is True


def test_price_filters_and_price_band_facets(client, catalog) -> None:
    for sku, price in (("p1", 999), ("p2", 2500), ("p3", 4999), ("p4", 60000)):
        catalog.put(sku, f"Vase {sku}", price)
    catalog.sync()
    reply = _search(client, q="vase", category=catalog.category, min_price=2500, max_price=50000)
    assert sorted(_names(reply)) == ["Vase p2", "Vase p3"]
    bands = [
        (b["min_minor"], b["max_minor"], b["count"]) for b in reply.body["facets"]["price_bands"]
    ]
    assert bands == [
        (0, 2500, 1),
        (2500, 5000, 2),
        (5000, 10000, 0),
        (10000, 25000, 0),
        (25000, 50000, 0),
        (50000, None, 1),
    ]


def test_in_stock_reads_the_inventory(client, catalog, shop) -> None:
    catalog.put("in", "Oak shelf in stock")
    catalog.put("out", "Oak shelf sold out")
    catalog.sync()
    shop.stock(f"{catalog.category}-in", 3)
    shop.stock(f"{catalog.category}-out", 0)
    assert _names(_search(client, q="oak", category=catalog.category, in_stock="true")) == [
        "Oak shelf in stock"
    ]
    assert _names(_search(client, q="oak", category=catalog.category, in_stock="false")) == [
        "Oak shelf sold out"
    ]


@pytest.mark.parametrize("sort", ["relevance", "price", "newest"])
def test_pages_follow_one_another_without_gaps_or_repeats(client, catalog, sort) -> None:
    for n in range(7):
        catalog.put(
            f"r{n}",
            f"Rug {n}" + " rug" * (n % 3),
            price_minor=1000 + (n % 4) * 100,
            created_at=f"2026-01-0{1 + n % 3}T00:00:00.000000+00:00",
        )
    catalog.sync()
    seen: list[str] = []
    params: dict[str, Any] = {"q": "rug", "category": catalog.category, "sort": sort, "limit": 3}
    for _ in range(5):
        reply = _search(client, **params)
        seen += [r["sku"] for r in reply.body["results"]]
        if reply.body["next_cursor"] is None:
            break
        params["cursor"] = reply.body["next_cursor"]
    assert sorted(seen) == sorted(f"{catalog.category}-r{n}" for n in range(7))
    assert len(seen) == 7
    if sort == "price":
        prices = [int(s[-1]) % 4 for s in seen]
        assert prices == sorted(prices)


def test_an_older_version_from_the_stream_changes_nothing(client, catalog) -> None:
    catalog.put("v", "Teak bench", version=Decimal(3))
    catalog.sync()
    catalog.put("v", "Teak bench old name", version=Decimal(2))
    catalog.sync()
    assert _names(_search(client, q="teak", category=catalog.category)) == ["Teak bench"]
    catalog.put("v", "Teak garden bench", version=Decimal(4))
    catalog.sync()
    assert _names(_search(client, q="teak", category=catalog.category)) == ["Teak garden bench"]


def test_archived_and_deleted_items_leave_the_results(client, catalog) -> None:
    catalog.put("x", "Linen cushion", version=Decimal(1))
    catalog.put("y", "Linen throw", version=Decimal(1))
    catalog.sync()
    catalog.put("x", "Linen cushion", version=Decimal(2), active=False, status="archived")
    catalog.table.delete_item(Key={"sku": f"{catalog.category}-y"})
    catalog.sync()
    assert _names(_search(client, q="linen", category=catalog.category)) == []


def test_replaying_the_whole_stream_changes_nothing(client, catalog, catalog_stream) -> None:
    catalog.put("z", "Marble coaster")
    catalog.sync()
    before = _search(client, q="marble", category=catalog.category).body
    fresh = CatalogStream(
        boto3.client("dynamodb"),
        boto3.client("dynamodbstreams"),
        catalog.table.name,
        catalog_stream._connections,
    )
    assert fresh.drain() > 0  # read again from the trim horizon
    assert _search(client, q="marble", category=catalog.category).body == before


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"sort": "popular"}, "sort"),
        ({"limit": "51"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"min_price": "-1"}, "min_price"),
        ({"max_price": "12.50"}, "max_price"),
        ({"min_price": "500", "max_price": "100"}, "min_price"),
        ({"in_stock": "yes"}, "in_stock"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a b c d e f g h i"}, "q"),
        ({"category": "c" * 65}, "category"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, params, parameter) -> None:
    reply = _search(client, **params)
    assert reply.status == 400
    assert reply.content_type == "application/problem+json"
    assert reply.body["parameter"] == parameter
    assert reply.body["allowed"]


def test_a_cursor_from_another_search_is_refused(client, catalog) -> None:
    for n in range(3):
        catalog.put(f"c{n}", f"Clay pot {n}")
    catalog.sync()
    first = _search(client, q="clay", category=catalog.category, limit=1)
    cursor = first.body["next_cursor"]
    assert cursor is not None
    reply = _search(client, q="pot", category=catalog.category, limit=1, cursor=cursor)
    assert reply.status == 400
    assert reply.body["parameter"] == "cursor"
    tampered = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    tampered["k"] = {"x": 1}
    forged = base64.urlsafe_b64encode(json.dumps(tampered).encode()).decode()
    reply = _search(client, q="clay", category=catalog.category, limit=1, cursor=forged)
    assert (reply.status, reply.body["parameter"]) == (400, "cursor")
