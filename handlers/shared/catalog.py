"""Product reads from the catalog table, through a Redis cache-aside when Redis is configured.

Cached entries live CATALOG_CACHE_TTL_SECONDS, so a price change shows within that time; checkout
bypasses the cache and prices from the table itself. A Redis outage degrades to table reads.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from handlers.shared.limits import CATALOG_CACHE_TTL_SECONDS, PRODUCT_LIST_LIMIT
from handlers.shared.tables import CATALOG
from handlers.shared.variants import (
    MAX_VARIANTS,
    VARIANT_NAME_MAX_LENGTH,
    Variant,
    line_sku,
    split_line_sku,
    valid_key,
)

logger = logging.getLogger(__name__)
CACHE_PREFIX = "shop3d:catalog:v2:"  # bump the version when the cached shape changes
_LIST_KEY = CACHE_PREFIX + "#active-list"
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

    def _scan_active(self) -> list[Product]:
        products: list[Product] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "active = :yes",
            "ExpressionAttributeValues": {":yes": {"BOOL": True}},
        }
        while len(products) < PRODUCT_LIST_LIMIT:
            reply = self._dynamodb.scan(**kwargs)
            for raw in reply.get("Items", []):
                product = product_from_item(_deserialize(raw))
                if product is not None:
                    products.append(product)
            if "LastEvaluatedKey" not in reply:
                break
            kwargs["ExclusiveStartKey"] = reply["LastEvaluatedKey"]
        return sorted(products, key=lambda p: p.sku)[:PRODUCT_LIST_LIMIT]

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

    def active_products(self) -> list[Product]:
        cached = self._cache_get([_LIST_KEY])[0]
        if cached is not None:
            return [Product.from_cached(p) for p in cached]
        products = self._scan_active()
        self._cache_set({_LIST_KEY: [asdict(p) for p in products]})
        return products

    def forget(self, sku: str) -> None:
        """Drop a changed product (and the list) from the cache: an edit shows at once."""
        if self._redis is None:
            return
        try:
            self._redis.delete(CACHE_PREFIX + sku, _LIST_KEY)
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
