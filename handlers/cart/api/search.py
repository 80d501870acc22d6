"""GET /api/search: the catalog's search, on this region's PostgreSQL reader (docs/search.md).

Every parameter is checked before the database is asked: a bad one is a 400 problem naming the
parameter and what it allows. The cursor is opaque to clients: base64url JSON holding the last
result's sort key and SKU, bound to the query it came from.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from handlers.cart.api import responses as documented
from handlers.cart.api.query_params import decoded, page_limit, parameter_problem
from handlers.cart.limits import (
    SEARCH_CURSOR_MAX_CHARS,
    SEARCH_PAGE_DEFAULT,
    SEARCH_PAGE_MAX,
    SEARCH_PRICE_MAX_MINOR,
    SEARCH_QUERY_MAX_CHARS,
    SEARCH_QUERY_MAX_WORDS,
    SKU_MAX_LENGTH,
)
from handlers.cart.search_query import SORTS, SearchQuery, Sort

if TYPE_CHECKING:
    from handlers.cart.wiring import Services

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated
PARAMETERS: Final = (
    "q",
    "category",
    "min_price",
    "max_price",
    "in_stock",
    "sort",
    "limit",
    "cursor",
)
CATEGORY_MAX_CHARS: Final = 64
_CURSOR_VERSION: Final = 1
_services: Services | None = None


def bind(services: Services) -> None:
    global _services
    _services = services


def _price(values: dict[str, str], name: str) -> int | None:
    text = values.get(name)
    if text is None or text == "":
        return None
    allowed = f"a whole number of minor units (cents) from 0 to {SEARCH_PRICE_MAX_MINOR}"
    if not text.isascii() or not text.isdigit() or int(text) > SEARCH_PRICE_MAX_MINOR:
        raise parameter_problem(name, allowed, text)
    return int(text)


def _text(values: dict[str, str]) -> str:
    text = values.get("q", "").strip()
    probe = SearchQuery(text=text)
    if len(text) > SEARCH_QUERY_MAX_CHARS or len(probe.words) > SEARCH_QUERY_MAX_WORDS:
        raise parameter_problem(
            "q",
            f"up to {SEARCH_QUERY_MAX_CHARS} characters and {SEARCH_QUERY_MAX_WORDS} words",
            text,
        )
    return text


def _choice(values: dict[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    text = values.get(name)
    if text is None or text == "":
        return None
    if text not in choices:
        raise parameter_problem(name, "one of " + ", ".join(choices), text)
    return text


def _category(values: dict[str, str]) -> str | None:
    text = values.get("category")
    if text is None or text == "":
        return None
    if len(text) > CATEGORY_MAX_CHARS:
        raise parameter_problem(
            "category", f"a category name of up to {CATEGORY_MAX_CHARS} characters"
        )
    return text


def parse_query(raw: dict[str, str] | None) -> tuple[SearchQuery, str]:
    """The validated query and the digest its cursors are bound to."""
    values = decoded(raw, PARAMETERS, "search")
    in_stock = _choice(values, "in_stock", ("true", "false"))
    query = SearchQuery(
        text=_text(values),
        category=_category(values),
        min_price=_price(values, "min_price"),
        max_price=_price(values, "max_price"),
        in_stock=None if in_stock is None else in_stock == "true",
        sort=_sort(values),
        limit=page_limit(values, SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX),
    )
    low, high = query.min_price, query.max_price
    if low is not None and high is not None and low > high:
        raise parameter_problem("min_price", f"at most max_price ({high})", str(low))
    digest = _digest(query)
    cursor = values.get("cursor")
    if cursor:
        query = SearchQuery(**{**query.__dict__, "after": _read_cursor(cursor, query, digest)})
    return query, digest


def _sort(values: dict[str, str]) -> Sort:
    chosen = _choice(values, "sort", SORTS)
    for sort in SORTS:  # narrows the text to the Literal
        if sort == chosen:
            return sort
    return "relevance"


def _digest(query: SearchQuery) -> str:
    fields = {k: v for k, v in query.__dict__.items() if k not in ("after", "limit")}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def write_cursor(after: tuple[Any, str], digest: str) -> str:
    document = {"v": _CURSOR_VERSION, "k": after[0], "s": after[1], "q": digest}
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_CURSOR_ALLOWED: Final = "a cursor returned as next_cursor by this same search"


def _read_cursor(text: str, query: SearchQuery, digest: str) -> tuple[Any, str]:
    if len(text) > SEARCH_CURSOR_MAX_CHARS:
        raise parameter_problem("cursor", _CURSOR_ALLOWED)
    try:
        document = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        raise parameter_problem("cursor", _CURSOR_ALLOWED) from None
    if not isinstance(document, dict) or document.get("v") != _CURSOR_VERSION:
        raise parameter_problem("cursor", _CURSOR_ALLOWED)
    if document.get("q") != digest:
        raise parameter_problem(
            "cursor", _CURSOR_ALLOWED + " (it came from a search with other parameters)"
        )
    sku, key = document.get("s"), document.get("k")
    if not isinstance(sku, str) or not 1 <= len(sku) <= SKU_MAX_LENGTH:
        raise parameter_problem("cursor", _CURSOR_ALLOWED)
    return _cursor_key(query, key), sku


def _cursor_key(query: SearchQuery, key: Any) -> Any:
    """The sort key, typed as the sort's column (a tampered cursor is a 400, not a 500)."""
    try:
        if query.effective_sort == "relevance" and isinstance(key, str):
            return Decimal(key)
        if query.effective_sort == "price" and isinstance(key, int) and key >= 0:
            return key
        if query.effective_sort == "newest" and isinstance(key, str):
            return datetime.fromisoformat(key)
    except (InvalidOperation, ValueError):
        pass
    raise parameter_problem("cursor", _CURSOR_ALLOWED)


def _svc() -> Services:
    if _services is None:
        raise RuntimeError("search is not bound to services; call search.bind() first")
    return _services


@router.get(
    "/api/search",
    summary="Search the catalog: full text, prefixes, typos, filters, facets, keyset pages",
    responses=documented.documented(documented.SearchResults, 503),
)
def search() -> Response[str]:
    query, digest = parse_query(router.current_event.query_string_parameters)
    page = _svc().search(query)
    body = {
        "results": page.results,
        "next_cursor": None if page.next_after is None else write_cursor(page.next_after, digest),
        "facets": {
            "categories": page.categories,
            "price_bands": page.price_bands,
            "exact": page.facets_exact,
        },
        "sort": query.effective_sort,
    }
    return Response(status_code=200, content_type="application/json", body=json.dumps(body))
