"""The catalog's search projection in PostgreSQL: the projection's idempotent upserts (ordered
per SKU by the catalog item's version) and the queries behind GET /api/search.

Full text: one weighted tsvector per row (name A, category B, description C; schema.sql), the
last query word a prefix (search as you type). Typos: pg_trgm's word_similarity of the query
against the name. Facets: counts per category and per price band over the same matches. Pages:
keyset on the sort's key plus the SKU, so a page costs the same at any depth.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import psycopg
from psycopg import sql

from handlers.cart.limits import SEARCH_FACET_MATCH_LIMIT, SEARCH_PRICE_BANDS_MINOR
from handlers.cart.search_query import SearchQuery, Sort, tsquery_text

# An exact (case-insensitive) name match outranks any weighted text score (ts_rank <= 1).
_EXACT_NAME_BONUS: Final = 10
_SCORE_DIGITS: Final = 6


@dataclass(frozen=True)
class SearchRow:
    """One catalog item as the projection stores it."""

    sku: str
    version: int
    visible: bool
    name: str
    description: str
    category: str
    price_minor: int
    currency: str
    asset_status: str
    manifest_key: str | None
    created_at: datetime


_UPSERT: Final = """
INSERT INTO search_products AS s (sku, version, visible, name, description, category,
    price_minor, currency, asset_status, manifest_key, created_at, projected_at)
VALUES (%(sku)s, %(version)s, %(visible)s, %(name)s, %(description)s, %(category)s,
    %(price_minor)s, %(currency)s, %(asset_status)s, %(manifest_key)s, %(created_at)s, now())
ON CONFLICT (sku) DO UPDATE SET version = EXCLUDED.version, visible = EXCLUDED.visible,
    name = EXCLUDED.name, description = EXCLUDED.description, category = EXCLUDED.category,
    price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency,
    asset_status = EXCLUDED.asset_status, manifest_key = EXCLUDED.manifest_key,
    created_at = EXCLUDED.created_at, projected_at = now()
-- Equal versions apply too: the asset service updates an item without a new version, and a
-- stream delivers one item's records in order; an older version (a replay) changes nothing.
WHERE s.version <= EXCLUDED.version
"""

_HIDE: Final = """
INSERT INTO search_products AS s (sku, version, visible, name, description, category,
    price_minor, currency, asset_status, created_at)
VALUES (%(sku)s, %(version)s, false, '', '', '', 0, 'XXX', 'PENDING', now())
ON CONFLICT (sku) DO UPDATE SET visible = false, version = EXCLUDED.version,
    projected_at = now()
WHERE s.version <= EXCLUDED.version
"""


def upsert(conn: psycopg.Connection, row: SearchRow) -> bool:
    """Write `row` unless the stored row has a newer version; True if it was written."""
    cur = conn.execute(_UPSERT, row.__dict__)
    return cur.rowcount == 1


def hide(conn: psycopg.Connection, sku: str, version: int) -> bool:
    """A removed catalog item: hidden from search, its version kept (a late replay of an older
    image cannot bring it back)."""
    cur = conn.execute(_HIDE, {"sku": sku, "version": version})
    return cur.rowcount == 1


_MATCHED: Final = """
WITH q AS (SELECT to_tsquery('english', %(tsquery)s) AS ts, %(phrase)s::text AS phrase),
matched AS {materialized} (
    SELECT {columns}, {score} AS score
    FROM search_products s CROSS JOIN q
    WHERE s.visible {text_match} {stock_match}
    {limit}
)
"""
# The page's columns; the facets need only two (a narrow CTE is most of their speed).
_PAGE_COLUMNS: Final = (
    "s.sku, s.name, s.description, s.category, s.price_minor, s.currency, s.asset_status,"
    " s.manifest_key, s.created_at"
)
_FACET_COLUMNS: Final = "s.category, s.price_minor"
_WORDS_MATCH: Final = "AND s.document @@ q.ts"
# The typo branch: pg_trgm's <% (word_similarity at or above its threshold) against the name.
# search() takes it only when the words match nothing as written, so a query that matches does
# not pay for comparing trigrams.
_TYPO_MATCH: Final = "AND q.phrase <%% lower(s.name)"
_IN_STOCK: Final = "EXISTS (SELECT 1 FROM inventory i WHERE i.sku = s.sku AND i.on_hand > 0)"
_RANK: Final = {
    False: "ts_rank(s.document, q.ts)",
    True: "word_similarity(q.phrase, lower(s.name))",
}
_SCORE: Final = (
    f"round(((lower(s.name) = q.phrase)::int * {_EXACT_NAME_BONUS}"
    " + {rank})::numeric,"
    f" {_SCORE_DIGITS})"
)
_ORDER: Final[dict[Sort, tuple[str, str, str]]] = {
    # (order by, keyset condition after (key, sku), the key column)
    "relevance": (
        "score DESC, sku",
        "(score < %(key)s OR (score = %(key)s AND sku > %(sku)s))",
        "score",
    ),
    "price": ("price_minor, sku", "(price_minor, sku) > (%(key)s, %(sku)s)", "price_minor"),
    "newest": (
        "created_at DESC, sku",
        "(created_at < %(key)s OR (created_at = %(key)s AND sku > %(sku)s))",
        "created_at",
    ),
}


# Stock is read for the page's rows only, by key (the filter, when asked for, is in `matched`).
_PAGE: Final = sql.SQL(
    "{matched} SELECT p.*, coalesce((SELECT i.on_hand > 0 FROM inventory i"
    " WHERE i.sku = p.sku), false) AS in_stock FROM ("
    " SELECT *, {key} AS sort_key FROM matched m WHERE {where} ORDER BY {order}"
    " LIMIT %(limit)s) p ORDER BY {order}"
)
# The counts over `source` (the facets' rows): per category, per price band, and all of them.
_FACET_COUNTS: Final = (
    "SELECT 'category' AS facet, category AS value, count(*) AS n FROM {source}"
    " WHERE {category_where} GROUP BY category UNION ALL"
    " SELECT 'band', width_bucket(price_minor, %(bands)s::bigint[])::text, count(*)"
    " FROM {source} WHERE {band_where} GROUP BY 2"
    " UNION ALL SELECT 'total', '', count(*) FROM {source}"
)
_FACETS: Final = sql.SQL("{matched} " + _FACET_COUNTS.replace("{source}", "matched"))
# Words given: the page and the facets in one statement over ONE pass of the text match (each
# matching row's tsvector tested and ranked once, not once for the facets and again for the
# page), narrow rows until the page's few are joined back for their columns, one round trip.
# The facets see the first SEARCH_FACET_MATCH_LIMIT matches (`sample`), the page all of them.
# One row always comes back (the facets), with a page row's columns NULL when the page is empty.
_COMBINED: Final = sql.SQL(
    "WITH q AS ("  # noqa: S608 - every fragment a constant here; values travel as parameters
    "SELECT to_tsquery('english', %(tsquery)s) AS ts, %(phrase)s::text AS phrase),"
    " matched AS MATERIALIZED (SELECT s.sku, s.category, s.price_minor, s.created_at,"
    " {score} AS score FROM search_products s CROSS JOIN q"
    " WHERE s.visible {text_match} {stock_match}),"
    " sample AS (SELECT category, price_minor FROM matched LIMIT %(facet_limit)s),"
    " counted AS (SELECT jsonb_agg(c) AS facets FROM ("
    + _FACET_COUNTS.replace("{source}", "sample")
    + ") c),"
    " page AS (SELECT m.*, {key} AS sort_key FROM matched m WHERE {where}"
    " ORDER BY {order} LIMIT %(limit)s)"
    " SELECT f.facets, w.sku, w.name, w.description, w.category, w.price_minor, w.currency,"
    " w.asset_status, w.manifest_key, w.created_at, p.score, p.sort_key,"
    " coalesce((SELECT i.on_hand > 0 FROM inventory i WHERE i.sku = p.sku), false) AS in_stock"
    " FROM counted f LEFT JOIN (page p JOIN search_products w ON w.sku = p.sku) ON true"
    " ORDER BY {order}"
)


def _filters(query: SearchQuery, *, category: bool, price: bool) -> list[str]:
    conditions = ["true"]
    if category and query.category is not None:
        conditions.append("category = %(category)s")
    if price and query.min_price is not None:
        conditions.append("price_minor >= %(min_price)s")
    if price and query.max_price is not None:
        conditions.append("price_minor <= %(max_price)s")
    return conditions


def _matched(query: SearchQuery, *, typo: bool, page: bool) -> str:
    """The matching rows: the page's columns and (sorted by relevance) the score, or the
    facets' two columns. `typo`: matched by trigram similarity instead of the words."""
    has_words = bool(query.words)
    stock = ""
    if query.in_stock is not None:
        stock = f"AND {'' if query.in_stock else 'NOT '}{_IN_STOCK}"
    scored = has_words and page and query.effective_sort == "relevance"
    return _MATCHED.format(
        columns=_PAGE_COLUMNS if page else _FACET_COLUMNS,
        materialized="",
        # Facets count at most SEARCH_FACET_MATCH_LIMIT matches (SearchPage.facets_exact says
        # whether they saw all): counting tens of thousands of rows is what made broad queries
        # slow (bench/search), and past a few thousand a shopper narrows the search anyway.
        limit="" if page else "LIMIT %(facet_limit)s",
        score=_SCORE.format(rank=_RANK[typo]) if scored else "0::numeric",
        text_match=(_TYPO_MATCH if typo else _WORDS_MATCH) if has_words else "",
        stock_match=stock,
    )


def _parameters(query: SearchQuery) -> dict[str, Any]:
    words = query.words
    return {
        "tsquery": tsquery_text(words) if words else "",
        "phrase": " ".join(words),
        "category": query.category,
        "min_price": query.min_price,
        "max_price": query.max_price,
        "bands": list(SEARCH_PRICE_BANDS_MINOR),
        "key": None if query.after is None else query.after[0],
        "sku": None if query.after is None else query.after[1],
        "limit": query.limit + 1,  # one more: is there a next page?
        "facet_limit": SEARCH_FACET_MATCH_LIMIT,
    }


def _band_label(index: int) -> dict[str, int | None]:
    bands = SEARCH_PRICE_BANDS_MINOR
    return {
        "min_minor": 0 if index == 0 else bands[index - 1],
        "max_minor": bands[index] if index < len(bands) else None,  # exclusive
    }


@dataclass(frozen=True)
class SearchPage:
    results: list[dict[str, Any]]
    # The sort key and SKU of the last result when there is a next page, else None.
    next_after: tuple[Any, str] | None
    categories: dict[str, int]
    price_bands: list[dict[str, int | None]]
    # False when more than SEARCH_FACET_MATCH_LIMIT rows matched: the counts are of the first
    # that many (a lower bound), not of every match.
    facets_exact: bool


def _result(row: dict[str, Any]) -> dict[str, Any]:
    ready = row["asset_status"] == "READY" and row["manifest_key"] is not None
    return {
        "sku": row["sku"],
        "name": row["name"],
        "description": row["description"],
        "category": row["category"],
        "price_minor": int(row["price_minor"]),
        "currency": row["currency"],
        "in_stock": bool(row["in_stock"]),
        "asset": {
            "status": row["asset_status"],
            "manifest_url": "/" + row["manifest_key"] if ready else None,
        },
    }


# Every fragment is a constant of this module; values travel as parameters only.
def _page_sql(query: SearchQuery, typo: bool) -> sql.Composed:
    order, after, key_column = _ORDER[query.effective_sort]
    conditions = _filters(query, category=True, price=True)
    if query.after is not None:
        conditions.append(after)
    return _PAGE.format(
        matched=sql.SQL(_matched(query, typo=typo, page=True)),
        key=sql.SQL(key_column),
        where=sql.SQL(" AND ".join(conditions)),
        order=sql.SQL(order),
    )


def _facets_sql(query: SearchQuery, typo: bool) -> sql.Composed:
    return _FACETS.format(
        matched=sql.SQL(_matched(query, typo=typo, page=False)),
        category_where=sql.SQL(" AND ".join(_filters(query, category=False, price=True))),
        band_where=sql.SQL(" AND ".join(_filters(query, category=True, price=False))),
    )


def _combined_sql(query: SearchQuery, typo: bool) -> sql.Composed:
    order, after, key_column = _ORDER[query.effective_sort]
    conditions = _filters(query, category=True, price=True)
    if query.after is not None:
        conditions.append(after)
    stock = ""
    if query.in_stock is not None:
        stock = f"AND {'' if query.in_stock else 'NOT '}{_IN_STOCK}"
    scored = query.effective_sort == "relevance"
    return _COMBINED.format(
        score=sql.SQL(_SCORE.format(rank=_RANK[typo]) if scored else "0::numeric"),
        text_match=sql.SQL(_TYPO_MATCH if typo else _WORDS_MATCH),
        stock_match=sql.SQL(stock),
        category_where=sql.SQL(" AND ".join(_filters(query, category=False, price=True))),
        band_where=sql.SQL(" AND ".join(_filters(query, category=True, price=False))),
        key=sql.SQL(key_column),
        where=sql.SQL(" AND ".join(conditions)),
        order=sql.SQL(order),
    )


# Per search session (the search connections serve nothing else): the catalog's table and
# indexes live in memory (Aurora's buffer cache; locally shared_buffers), where a random page
# costs what a sequential one does, so random_page_cost 1.1 instead of the spinning-disk 4.
# With 4 the planner read all 100,000 rows for a broad prefix ('hel':*, 7% of them) instead of
# the GIN index: 3x the time (bench/search). Parallel workers are off: on 2 vCPUs they compete
# with the concurrent searches they would speed up, and cost every search 2 more processes.
_SESSION: Final = (
    "SELECT set_config('random_page_cost', '1.1', false),"
    " set_config('max_parallel_workers_per_gather', '0', false)"
)
_tuned: weakref.WeakSet[psycopg.Connection] = weakref.WeakSet()


def _tune(conn: psycopg.Connection) -> None:
    if conn not in _tuned:
        conn.execute(_SESSION)
        _tuned.add(conn)


def _facet_counts(facets: list[dict[str, Any]]) -> tuple[dict[str, int], dict[int, int], int]:
    categories = {f["value"]: int(f["n"]) for f in facets if f["facet"] == "category"}
    bands = {int(f["value"]): int(f["n"]) for f in facets if f["facet"] == "band"}
    total = sum(int(f["n"]) for f in facets if f["facet"] == "total")
    return categories, bands, total


def _run(
    cur: psycopg.Cursor[dict[str, Any]], query: SearchQuery, parameters: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The page's rows and the facet rows."""
    if not query.words:  # browsing: the page from the sort's index, the facets on their own
        facets = cur.execute(_facets_sql(query, False), parameters).fetchall()
        return cur.execute(_page_sql(query, False), parameters).fetchall(), facets
    rows = cur.execute(_combined_sql(query, False), parameters).fetchall()
    if _facet_counts(rows[0]["facets"] or [])[2] == 0:
        # Nothing matches the words as written: try them as typos (only then: comparing
        # trigrams costs more than the words' index).
        rows = cur.execute(_combined_sql(query, True), parameters).fetchall()
    return [r for r in rows if r["sku"] is not None], rows[0]["facets"] or []


def search(conn: psycopg.Connection, query: SearchQuery) -> SearchPage:
    """One page of results and the facets: one statement with words (two when they match
    nothing and are tried as typos), two when browsing. Facets count
    what the other filters leave (a category's count ignores the category filter, a band's the
    price filters), so a shopper sees what choosing it would give."""
    _tune(conn)
    parameters = _parameters(query)
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        rows, facets = _run(cur, query, parameters)
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_after = None
    if more:
        last = rows[-1]
        next_after = (_cursor_value(last["sort_key"]), last["sku"])
    categories, counts, total = _facet_counts(facets)
    bands = [
        {**_band_label(i), "count": counts.get(i, 0)}
        for i in range(len(SEARCH_PRICE_BANDS_MINOR) + 1)
    ]
    return SearchPage(
        results=[_result(r) for r in rows],
        next_after=next_after,
        categories=dict(sorted(categories.items())),
        price_bands=bands,
        facets_exact=total < SEARCH_FACET_MATCH_LIMIT,
    )


def _cursor_value(value: Any) -> Any:
    """A sort key as JSON can carry it exactly: numeric scores and timestamps as text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
