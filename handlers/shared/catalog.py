"""Product reads from the catalog table, through a Redis cache-aside when Redis is configured.

Cached entries live CATALOG_CACHE_TTL_SECONDS, so a price change shows within that time; checkout
bypasses the cache and prices from the table itself. A Redis outage degrades to table reads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from boto3.dynamodb.types import TypeDeserializer

from handlers.shared.cursors import StartKey
from handlers.shared.limits import CATALOG_CACHE_TTL_SECONDS
from handlers.shared.tables import (
    CATALOG,
    CATALOG_BY_STATUS,
    CATALOG_BY_STATUS_CATEGORY,
    IndexSchema,
)
from handlers.shared.variants import (
    MAX_VARIANTS,
    VARIANT_NAME_MAX_LENGTH,
    Variant,
    line_sku,
    split_line_sku,
    valid_key,
)

logger = logging.getLogger(__name__)
# Bump the version when the cached shape changes (v3: variants, paged lists).
CACHE_PREFIX = "shop3d:catalog:v3:"
_LIST_GENERATION_KEY = CACHE_PREFIX + "#list-generation"
ACTIVE: Final = "active"
_CURRENCY = re.compile(r"^[A-Z]{3}$")
CATEGORY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){0,7}$")  # a URL slug
_BATCH_GET_MAX = 100  # DynamoDB BatchGetItem limit
_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    description: str
    price_minor: int
    currency: str
    active: bool
    asset_status: str
    manifest_key: str | None
    # A URL slug (lower-case words and hyphens) grouping products on category pages; optional.
    category: str | None = None
    # The variants a shopper chooses from (handlers/shared/variants.py); none: one look.
    variants: tuple[Variant, ...] = ()
    # Set on the Product a line SKU resolves to: the variant that line buys (sku is the line's).
    variant: Variant | None = None

    def public(self) -> dict[str, Any]:
        """The storefront's Product shape (contract in docs/cart-service.md)."""
        ready = self.asset_status == "READY" and self.manifest_key is not None
        return {
            "sku": self.sku,
            "name": self.name,
            "description": self.description,
            "price_minor": self.price_minor,
            "currency": self.currency,
            "asset": {
                "status": self.asset_status,
                "manifest_url": "/" + self.manifest_key if ready and self.manifest_key else None,
            },
            "variants": [
                {
                    "key": v.key,
                    "name": v.name,
                    "sku": line_sku(self.sku, v.key),
                    "price_minor": v.price_minor,
                }
                for v in self.variants
            ],
        }

    def as_variant(self, key: str) -> Product | None:
        """The Product a line SKU `<sku>~<key>` buys: the variant's price, the line's SKU."""
        chosen = next((v for v in self.variants if v.key == key), None)
        if chosen is None:
            return None
        return replace(
            self,
            sku=line_sku(self.sku, key),
            price_minor=chosen.price_minor,
            variants=(),
            variant=chosen,
        )

    @staticmethod
    def from_cached(entry: dict[str, Any]) -> Product:
        """A Product from its cached JSON (asdict's nested variants back into Variant)."""
        chosen = entry.get("variant")
        return Product(
            **{
                **entry,
                "variants": tuple(Variant(**v) for v in entry.get("variants", ())),
                "variant": Variant(**chosen) if chosen else None,
            }
        )


def variants_from_item(raw: Any, sku: str, price_minor: int) -> tuple[Variant, ...]:
    """The item's variants; a malformed entry is left out (logged), a missing price is the
    product's."""
    if not isinstance(raw, list):
        return ()
    found: list[Variant] = []
    for entry in raw[:MAX_VARIANTS]:
        name = entry.get("name") if isinstance(entry, dict) else None
        price = entry.get("price_minor", price_minor) if isinstance(entry, dict) else None
        if (
            not isinstance(entry, dict)
            or not valid_key(entry.get("key"))
            or not isinstance(name, str)
            or not 0 < len(name) <= VARIANT_NAME_MAX_LENGTH
            or price is None
            or int(price) != price
            or int(price) < 0
            or any(v.key == entry["key"] for v in found)
        ):
            logger.warning("catalog item %r has a malformed variant; left out", sku)
            continue
        found.append(Variant(key=entry["key"], name=name, price_minor=int(price)))
    return tuple(found)


def resolve(skus: list[str], products: dict[str, Product]) -> dict[str, Product]:
    """Products by the SKUs asked for: a line SKU `<sku>~<key>` is its product's variant (left
    out when the product has no such variant)."""
    found: dict[str, Product] = {}
    for wanted in skus:
        sku, key = split_line_sku(wanted)
        product = products.get(sku)
        chosen = product if product is None or key is None else product.as_variant(key)
        if chosen is not None:
            found[wanted] = chosen
    return found


def product_from_item(item: dict[str, Any]) -> Product | None:
    """A Product from a deserialized catalog item, or None (logged) if the item is malformed:
    a broken catalog row makes that product unavailable, never a 500."""
    price = item.get("price_minor")
    currency = item.get("currency")
    if (
        not isinstance(item.get("sku"), str)
        or not isinstance(item.get("name"), str)
        or price is None
        or int(price) != price
        or int(price) < 0
        or not isinstance(currency, str)
        or not _CURRENCY.match(currency)
    ):
        logger.warning("catalog item %r is malformed; treated as unavailable", item.get("sku"))
        return None
    manifest_key = item.get("manifest_key")
    category = item.get("category")
    return Product(
        sku=item["sku"],
        name=item["name"],
        description=str(item.get("description", "")),
        price_minor=int(price),
        currency=currency,
        active=item.get("active") is True,
        asset_status=str(item.get("asset_status", "PENDING")),
        manifest_key=manifest_key if isinstance(manifest_key, str) else None,
        category=category
        if isinstance(category, str) and CATEGORY_PATTERN.match(category)
        else None,
        variants=variants_from_item(item.get("variants"), item["sku"], int(price)),
    )


@dataclass(frozen=True)
class Listing:
    """A listing the indexes answer: an index and the value of its partition key."""

    index: IndexSchema
    key: str


def cursor_scope(listing: Listing) -> str:
    """What a listing's cursors are bound to: a cursor of one listing is refused by every other."""
    return f"{listing.index.name}/{listing.key}"


def start_key_fields(listing: Listing) -> frozenset[str]:
    """The attributes of a start key on a listing's index (the table's key and the index's)."""
    index = listing.index
    assert index.range_key is not None
    return frozenset({CATALOG.hash_key.name, index.hash_key.name, index.range_key.name})


def active_listing(category: str | None) -> Listing:
    """The storefront's listing: the active products, or those of one category."""
    if category is None:
        return Listing(CATALOG_BY_STATUS, ACTIVE)
    return Listing(CATALOG_BY_STATUS_CATEGORY, status_category(ACTIVE, category))


def status_category(status: str, category: str) -> str:
    """The by-status-category index's key of an item (one place for its shape)."""
    return f"{status}#{category}"


def now_iso() -> str:
    """UTC, microseconds, fixed width: string order is time order (the indexes' sort key)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def listing_fields(status: str, category: str | None, updated_at: str) -> dict[str, Any]:
    """The attributes that put an item in the listing indexes (every writer of the catalog
    sets them: the product API, the local sample loader): status and the time for by-status,
    status#category for by-status-category, `active` for the storefront's and checkout's reads."""
    fields: dict[str, Any] = {
        "status": status,
        "active": status == ACTIVE,
        "updated_at": updated_at,
    }
    if category is not None:
        fields["status_category"] = status_category(status, category)
    return fields


@dataclass(frozen=True)
class ProductPage:
    products: list[Product]
    # The start key of the next page (the last product's keys), None on the last page.
    after: StartKey | None


def _deserialize(raw: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in raw.items()}


class Catalog:
    def __init__(self, dynamodb: Any, table: str, redis: Any | None = None) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._redis = redis

    # -- table reads (authoritative) ------------------------------------------------------------
    def load_many(self, skus: list[str], consistent: bool = False) -> dict[str, Product]:
        """Products (line SKUs resolved to their variants) from the table."""
        return resolve(skus, self._load_products(skus, consistent))

    def _load_products(self, skus: list[str], consistent: bool) -> dict[str, Product]:
        found: dict[str, Product] = {}
        unique = sorted({split_line_sku(s)[0] for s in skus})
        for start in range(0, len(unique), _BATCH_GET_MAX):
            keys: Any = {
                self._table: {
                    "Keys": [
                        {CATALOG.hash_key.name: {"S": s}}
                        for s in unique[start : start + _BATCH_GET_MAX]
                    ],
                    "ConsistentRead": consistent,
                }
            }
            while keys:
                reply = self._dynamodb.batch_get_item(RequestItems=keys)
                for raw in reply["Responses"].get(self._table, []):
                    product = product_from_item(_deserialize(raw))
                    if product is not None:
                        found[product.sku] = product
                keys = reply.get("UnprocessedKeys") or None
        return found

    def _query_page(self, listing: Listing, limit: int, after: StartKey | None) -> ProductPage:
        """One page of a listing, newest first: a Query on its index (never a Scan), one item
        more than the page so the last page says it is the last."""
        index = listing.index
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index.name,
            "KeyConditionExpression": "#k = :k",
            "ExpressionAttributeNames": {"#k": index.hash_key.name},
            "ExpressionAttributeValues": {":k": {"S": listing.key}},
            "ScanIndexForward": False,
            "Limit": limit + 1,
        }
        if after is not None:
            kwargs["ExclusiveStartKey"] = {name: {"S": value} for name, value in after.items()}
        found: list[tuple[Product, dict[str, Any]]] = []
        while len(found) <= limit:
            reply = self._dynamodb.query(**kwargs)
            for raw in reply.get("Items", []):
                item = _deserialize(raw)
                product = product_from_item(item)
                if product is not None:  # a malformed row is left out, never a 500
                    found.append((product, item))
            if "LastEvaluatedKey" not in reply:
                break
            kwargs["ExclusiveStartKey"] = reply["LastEvaluatedKey"]
        shown = found[:limit]
        more = len(found) > limit
        last = shown[-1][1] if more else None
        return ProductPage(
            products=[p for p, _ in shown],
            after=None if last is None else {n: str(last[n]) for n in start_key_fields(listing)},
        )

    # -- cached reads -----------------------------------------------------------------------------
    def products(self, skus: list[str]) -> dict[str, Product]:
        """Products by SKU or line SKU (missing or malformed ones left out), cache first."""
        bases = sorted({split_line_sku(s)[0] for s in skus})
        cached = self._cache_get([CACHE_PREFIX + s for s in bases])
        found = {
            s: Product.from_cached(c) for s, c in zip(bases, cached, strict=True) if c is not None
        }
        missing = [s for s in bases if s not in found]
        if missing:
            loaded = self._load_products(missing, consistent=False)
            self._cache_set({CACHE_PREFIX + s: asdict(p) for s, p in loaded.items()})
            found.update(loaded)
        return resolve(skus, found)

    def product(self, sku: str) -> Product | None:
        return self.products([sku]).get(sku)

    def active_page(
        self, category: str | None, limit: int, after: StartKey | None = None
    ) -> ProductPage:
        """A page of the active products (of one category, if given), newest first, cached
        until an edit (forget) or the TTL; `after`: the start key the previous page ended on."""
        listing = active_listing(category)
        key = self._list_key(listing, limit, after)
        cached = self._cache_get([key])[0] if key is not None else None
        if cached is not None:
            return ProductPage(
                [Product.from_cached(p) for p in cached["products"]], cached["after"]
            )
        page = self._query_page(listing, limit, after)
        if key is not None:
            products = [asdict(p) for p in page.products]
            self._cache_set({key: {"products": products, "after": page.after}})
        return page

    def _list_key(self, listing: Listing, limit: int, after: StartKey | None) -> str | None:
        """The cache key of a page: the listing generation (bumped by forget) in it, so one
        edit retires every cached page at once; None without Redis or when Redis is down."""
        if self._redis is None:
            return None
        try:
            generation = self._redis.get(_LIST_GENERATION_KEY)
        except Exception as error:  # a cache outage must not fail reads
            logger.warning("redis read failed, reading the table: %s", error)
            return None
        where = json.dumps([listing.key, limit, after], sort_keys=True)
        digest = hashlib.sha256(where.encode()).hexdigest()[:32]
        if isinstance(generation, bytes):
            generation = generation.decode()
        return f"{CACHE_PREFIX}#list:{generation or 0}:{digest}"

    def forget(self, sku: str) -> None:
        """Drop a changed product (and the list) from the cache: an edit shows at once."""
        if self._redis is None:
            return
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.delete(CACHE_PREFIX + sku)
            pipe.incr(_LIST_GENERATION_KEY)
            pipe.execute()
        except Exception as error:
            logger.warning("redis delete failed; the entry expires on its TTL: %s", error)

    def _cache_get(self, keys: list[str]) -> list[Any]:
        if self._redis is None or not keys:
            return [None] * len(keys)
        try:
            values = self._redis.mget(keys)
        except Exception as error:  # a cache outage must not fail reads
            logger.warning("redis read failed, reading the table: %s", error)
            return [None] * len(keys)
        return [json.loads(v) if v is not None else None for v in values]

    def _cache_set(self, entries: dict[str, Any]) -> None:
        if self._redis is None or not entries:
            return
        try:
            pipe = self._redis.pipeline(transaction=False)
            for key, value in entries.items():
                pipe.set(key, json.dumps(value), ex=CATALOG_CACHE_TTL_SECONDS)
            pipe.execute()
        except Exception as error:
            logger.warning("redis write failed, serving without caching: %s", error)
