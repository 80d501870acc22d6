"""`python -m bench.search.bench_search [--products N] [--iterations N] [--write-docs]`: search
over a generated catalog on the local PostgreSQL, beside a raw SQL query on the same data.

- latency: each query of a fixed mix through the store (handlers.cart.stores.search_store.search:
  one page plus the facets, two statements) and, beside it, one raw full-text SELECT of the same
  words (no facets, no typo branch, no ranking of the exact name): the floor of the engine;
- relevance: the fixed query set (exact name first, "helmt" finds the helmet, category exact);
- projection lag: a catalog write on DynamoDB Local until its row is searchable, through the
  stream and the projection handler (local/search_stream.py polling as the local platform does).

--write-docs saves the figures to bench/search/results.json and docs/search.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg

from bench.search.catalog_data import products
from bench.search.results import COMMITTED
from handlers.cart.search_query import SearchQuery, tsquery_text
from handlers.cart.stores.credentials import FixedUrl
from handlers.cart.stores.database import Connections, apply_schema
from handlers.cart.stores.search_store import search
from handlers.shared.tables import CATALOG
from local.resources import AwsEndpoints, ensure_tables
from local.search_stream import CatalogStream
from local.servers import DynamoDBLocal, MotoServer, PostgresServer

QUERIES: dict[str, SearchQuery] = {
    "prefix 'hel'": SearchQuery(text="hel"),
    "prefix 'walnut cha'": SearchQuery(text="walnut cha"),
    "typo 'helmt'": SearchQuery(text="helmt"),
    "two words 'oak table'": SearchQuery(text="oak table"),
    "'lamp' in lighting": SearchQuery(text="lamp", category="lighting"),
    "'chair' by price, 20.00-100.00": SearchQuery(
        text="chair", sort="price", min_price=2000, max_price=10000
    ),
    "'steel' in stock": SearchQuery(text="steel", in_stock=True),
    "browse newest, no words": SearchQuery(),
}
RAW_TEXT = (
    "SELECT sku FROM search_products WHERE visible AND document @@ to_tsquery('english', %s)"
    " ORDER BY ts_rank(document, to_tsquery('english', %s)) DESC LIMIT 20"
)
RAW_BROWSE = "SELECT sku FROM search_products WHERE visible ORDER BY created_at DESC, sku LIMIT 20"


def _load(conn: psycopg.Connection, count: int) -> None:
    apply_schema(conn)
    conn.execute("TRUNCATE search_products, inventory")
    with conn.cursor() as cur:
        columns = "sku, version, visible, name, description, category, price_minor, currency,"
        columns += " asset_status, created_at"
        with cur.copy(f"COPY search_products ({columns}) FROM STDIN") as copy:
            for sku, name, description, category, price, created in products(count):
                copy.write_row(
                    (sku, 1, True, name, description, category, price, "EUR", "READY", created)
                )
        # Every fifth product sold out: in_stock filters something.
        with cur.copy("COPY inventory (sku, on_hand) FROM STDIN") as copy:
            for n, (sku, *_rest) in enumerate(products(count)):
                copy.write_row((sku, 0 if n % 5 == 0 else 7))
    conn.execute("VACUUM ANALYZE search_products")
    conn.execute("ANALYZE inventory")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


def _raw(conn: psycopg.Connection, query: SearchQuery) -> None:
    if query.words:
        text = tsquery_text(query.words)
        conn.execute(RAW_TEXT, (text, text)).fetchall()
    else:
        conn.execute(RAW_BROWSE).fetchall()


def _latency(conn: psycopg.Connection, iterations: int) -> dict[str, Any]:
    per_query: dict[str, Any] = {}
    store_all: list[float] = []
    raw_all: list[float] = []
    for name, query in QUERIES.items():
        for _ in range(5):  # warm the caches and the plans
            search(conn, query)
            _raw(conn, query)
        store: list[float] = []
        raw: list[float] = []
        for _ in range(iterations):  # alternate, so load on the machine hits both alike
            start = time.perf_counter()
            page = search(conn, query)
            store.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            _raw(conn, query)
            raw.append((time.perf_counter() - start) * 1000)
        per_query[name] = {
            "store": _percentiles(store),
            "raw": _percentiles(raw),
            "results": len(page.results),
            "matches": _match_count(conn, query),
        }
        store_all += store
        raw_all += raw
    return {"queries": per_query, "store": _percentiles(store_all), "raw": _percentiles(raw_all)}


def _match_count(conn: psycopg.Connection, query: SearchQuery) -> int:
    """Every match of the words (the facets stop counting at their limit)."""
    if not query.words:
        row = conn.execute("SELECT count(*) FROM search_products WHERE visible").fetchone()
    else:
        text = tsquery_text(query.words)
        sql = "SELECT count(*) FROM search_products WHERE visible AND document @@ to_tsquery("
        row = conn.execute(sql + "'english', %s)", (text,)).fetchone()
    return int(row[0]) if row else 0


def _relevance(conn: psycopg.Connection) -> dict[str, Any]:
    exact = search(conn, SearchQuery(text="bike helmet")).results
    typo = search(conn, SearchQuery(text="helmt", limit=50)).results
    lamps = search(conn, SearchQuery(text="lamp", category="lighting", limit=50)).results
    return {
        "exact name first": {
            "query": "bike helmet",
            "first": exact[0]["name"] if exact else None,
            "met": bool(exact) and exact[0]["sku"] == "FIX-BIKE-HELMET",
        },
        "typo finds the helmet": {
            "query": "helmt",
            "helmets_in_first_page": sum("helmet" in r["name"].lower() for r in typo),
            "met": any("helmet" in r["name"].lower() for r in typo[:10]),
        },
        "category filter exact": {
            "query": "lamp, category=lighting",
            "results": len(lamps),
            "met": bool(lamps) and all(r["category"] == "lighting" for r in lamps),
        },
    }


def _projection_lag(admin_url: str, writes: int) -> dict[str, Any]:
    """Seconds from a catalog PutItem until its row is searchable, `writes` times."""
    with DynamoDBLocal() as dynamodb, MotoServer() as moto:
        endpoints = AwsEndpoints(moto=moto.endpoint, dynamodb=dynamodb.endpoint)
        os.environ.update(endpoints.environment())
        client = endpoints.dynamodb_client()
        table = ensure_tables(client, f"bench{uuid.uuid4().hex[:6]}-", [CATALOG])["catalog"]
        stream = CatalogStream(
            client, endpoints.dynamodb_streams_client(), table, Connections(FixedUrl(admin_url))
        ).start()
        lags: list[float] = []
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                for n in range(writes):
                    sku = f"LAG-{n:04d}-{uuid.uuid4().hex[:6]}"
                    item: dict[str, Any] = {
                        "sku": {"S": sku},
                        "name": {"S": f"Lag probe {n}"},
                        "price_minor": {"N": "1000"},
                        "currency": {"S": "EUR"},
                        "active": {"BOOL": True},
                        "version": {"N": "1"},
                    }
                    start = time.perf_counter()
                    client.put_item(TableName=table, Item=item)
                    while not _searchable(conn, sku):
                        if time.perf_counter() - start > 30:
                            raise TimeoutError(f"{sku} was not projected within 30 s")
                        time.sleep(0.005)
                    lags.append(time.perf_counter() - start)
        finally:
            stream.stop()
    p50, p99 = _percentiles(lags)
    return {"writes": writes, "p50_s": p50, "max_s": max(lags), "p99_s": p99}


def _searchable(conn: psycopg.Connection, sku: str) -> bool:
    query = "SELECT 1 FROM search_products WHERE sku = %s AND visible"
    return conn.execute(query, (sku,)).fetchone() is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--lag-writes", type=int, default=20)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    with PostgresServer() as server:
        url = server.create_database(f"search_bench_{uuid.uuid4().hex[:6]}")
        with psycopg.connect(url, autocommit=True) as conn:
            started = time.perf_counter()
            _load(conn, args.products)
            load_s = time.perf_counter() - started
            before = os.getloadavg()[0]
            latency = _latency(conn, args.iterations)
            relevance = _relevance(conn)
            after = os.getloadavg()[0]
            shown = conn.execute("SHOW server_version").fetchone()
            version = str(shown[0] if shown else "?").split()[0]
        lag = _projection_lag(url, args.lag_writes)
    results = {
        "date": datetime.now(UTC).date().isoformat(),
        "products": args.products,
        "iterations": args.iterations,
        "cpus": os.cpu_count(),
        "load_s": load_s,
        "load_average_before_after": [before, after],
        "latency": latency,
        "relevance": relevance,
        "projection_lag": lag,
        "postgres": version,
    }
    COMMITTED.show(results, args.write_docs)


if __name__ == "__main__":
    main()
