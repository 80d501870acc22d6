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
class TableSchema:
    """One DynamoDB table: its logical name, keys, TTL attribute and replication."""

    logical_name: str
    hash_key: KeyAttribute
    range_key: KeyAttribute | None = None
    ttl_attribute: str | None = None
    global_table: bool = True
    description: str = ""
    extra_attributes: tuple[KeyAttribute, ...] = field(default=())

    @property
    def key_attributes(self) -> tuple[KeyAttribute, ...]:
        keys = (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)
        return keys + self.extra_attributes

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
# Item attributes used by the services: name, price_minor (int), currency, active (bool),
# stock is NOT here (it lives in PostgreSQL, where checkout reserves it in one transaction),
# asset_status (PENDING | READY | REJECTED), manifest_key, asset_reason.
CATALOG = TableSchema(
    logical_name="catalog",
    hash_key=KeyAttribute("sku"),
    description="Products and the state of their 3D assets",
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
