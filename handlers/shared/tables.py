"""DynamoDB key schemas: the GlobalData component creates these tables, the services use them.

Each table is described once here. `global_table` says whether the table is replicated to
every configured region (DynamoDB global tables, last-writer-wins) or stays in one region
(the idempotency table: conditional writes only hold within a region).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

AttributeType = Literal["S", "N", "B"]


@dataclass(frozen=True)
class KeyAttribute:
    name: str
    type: AttributeType = "S"


@dataclass(frozen=True)
class IndexSchema:
    """A global secondary index: its name, keys, and every attribute projected (ALL)."""

    name: str
    hash_key: KeyAttribute
    range_key: KeyAttribute | None = None

    def key_schema(self) -> list[dict[str, str]]:
        schema = [{"AttributeName": self.hash_key.name, "KeyType": "HASH"}]
        if self.range_key is not None:
            schema.append({"AttributeName": self.range_key.name, "KeyType": "RANGE"})
        return schema


@dataclass(frozen=True)
class TableSchema:
    """One DynamoDB table: its logical name, keys, TTL attribute and replication."""

    logical_name: str
    hash_key: KeyAttribute
    range_key: KeyAttribute | None = None
    ttl_attribute: str | None = None
    global_table: bool = True
    description: str = ""
    extra_attributes: tuple[KeyAttribute, ...] = field(default=())
    indexes: tuple[IndexSchema, ...] = field(default=())

    @property
    def key_attributes(self) -> tuple[KeyAttribute, ...]:
        """Every attribute a key of the table or of one of its indexes uses, once each."""
        keys: tuple[KeyAttribute, ...] = (self.hash_key,)
        keys += () if self.range_key is None else (self.range_key,)
        for index in self.indexes:
            keys += (index.hash_key,) + ((index.range_key,) if index.range_key else ())
        unique = {a.name: a for a in keys + self.extra_attributes}
        return tuple(unique.values())

    def global_secondary_indexes(self) -> list[dict[str, object]]:
        """The boto3 `GlobalSecondaryIndexes` argument (on-demand tables: no throughput)."""
        return [
            {
                "IndexName": i.name,
                "KeySchema": i.key_schema(),
                "Projection": {"ProjectionType": "ALL"},
            }
            for i in self.indexes
        ]

    def key_schema(self) -> list[dict[str, str]]:
        """The boto3 `KeySchema` argument."""
        schema = [{"AttributeName": self.hash_key.name, "KeyType": "HASH"}]
        if self.range_key is not None:
            schema.append({"AttributeName": self.range_key.name, "KeyType": "RANGE"})
        return schema

    def attribute_definitions(self) -> list[dict[str, str]]:
        """The boto3 `AttributeDefinitions` argument."""
        return [{"AttributeName": a.name, "AttributeType": a.type} for a in self.key_attributes]


# Products, keyed by SKU (a product's SKU is its id everywhere: upload keys, asset keys).
#
# The catalog item, as the product API (handlers/cart/stores/product_store.py) writes it and the
# storefront, the asset service and the search projection read it:
#   sku            S  the key: 1-64 letters, digits, '.', '_', '-'
#   seller         S  the owning seller's Cognito sub (uploads/<seller>/<sku>/ too)
#   name           S  up to 200 characters
#   description    S  up to 5,000 characters
#   category       S  one of the shop's managed categories (handlers/cart/products/categories.py)
#   price_minor    N  integer, minor units of `currency` (cents)
#   currency       S  ISO 4217, three capitals
#   status         S  draft | active | archived
#   active         BOOL  status == active (what the storefront and checkout read)
#   status_category S  "<status>#<category>" (the category index's key)
#   dimensions_m   L  [width, height, depth] in metres (the API takes millimetres, exactly
#                     mm / 1000); the asset service's commerce check and the AR scale read it
#   version        N  1 on create, +1 on every update: the API's ETag / If-Match
#   created_at, updated_at  S  UTC ISO-8601 with microseconds (fixed width: sorts as time)
#   write_digest   S  sha256 of the last accepted write, so its retry is recognised
#   asset_status   S  PENDING | READY | REJECTED (written by the asset service), manifest_key S,
#                     asset_reason S (why REJECTED), asset_source_version S, asset_sequencer S
# Stock is NOT here: it lives in PostgreSQL (inventory), where checkout reserves it in one
# transaction; the product API writes it there in the same request.
CATALOG_UPDATED_AT: KeyAttribute = KeyAttribute("updated_at")
# Listing without a Scan: by status (the storefront's active list, an admin's drafts), by status
# within a category, and a seller's own products; each newest first (updated_at descending).
CATALOG_BY_STATUS = IndexSchema("by-status", KeyAttribute("status"), CATALOG_UPDATED_AT)
CATALOG_BY_STATUS_CATEGORY = IndexSchema(
    "by-status-category", KeyAttribute("status_category"), CATALOG_UPDATED_AT
)
CATALOG_BY_SELLER = IndexSchema("by-seller", KeyAttribute("seller"), CATALOG_UPDATED_AT)
CATALOG = TableSchema(
    logical_name="catalog",
    hash_key=KeyAttribute("sku"),
    description="Products and the state of their 3D assets",
    indexes=(CATALOG_BY_STATUS, CATALOG_BY_STATUS_CATEGORY, CATALOG_BY_SELLER),
)

# Carts: one item per cart (line = "#cart"); each cart line is the attributes qty#<sku> and
# added#<sku>, and skus (a string set) counts them, so one conditional UpdateItem both enforces
# the limits and writes. One GetItem reads the whole cart.
CARTS = TableSchema(
    logical_name="carts",
    hash_key=KeyAttribute("cart_id"),
    range_key=KeyAttribute("line"),
    ttl_attribute="expires_at",
    description="Shopping carts: one item per cart, a pair of attributes per line",
)

SESSIONS = TableSchema(
    logical_name="sessions",
    hash_key=KeyAttribute("session_id"),
    ttl_attribute="expires_at",
    description="Shopper sessions",
)

# Powertools idempotency's own layout (key attribute "id", TTL attribute "expiration").
IDEMPOTENCY = TableSchema(
    logical_name="idempotency",
    hash_key=KeyAttribute("id"),
    ttl_attribute="expiration",
    global_table=False,
    description="Idempotency records of mutating requests and asset events, per region",
)

GLOBAL_TABLES: tuple[TableSchema, ...] = (CATALOG, CARTS, SESSIONS)
REGIONAL_TABLES: tuple[TableSchema, ...] = (IDEMPOTENCY,)
ALL_TABLES: tuple[TableSchema, ...] = GLOBAL_TABLES + REGIONAL_TABLES
