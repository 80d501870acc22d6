"""Catalog items written as the admin API writes them (straight to DynamoDB Local), each test
in a category of its own; the catalog stream carries them to the search rows."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import boto3

from local.search_stream import CatalogStream


class Catalog:
    def __init__(self, table: str, stream: CatalogStream) -> None:
        self.table = boto3.resource("dynamodb").Table(table)
        self.stream = stream
        self.category = f"cat{uuid.uuid4().hex[:8]}"

    def put(self, sku: str, name: str, price_minor: int = 1000, **extra: Any) -> None:
        item = {
            "sku": f"{self.category}-{sku}",
            "name": name,
            "description": extra.pop("description", f"{name} to turn in 3D"),
            "category": self.category,
            "price_minor": Decimal(price_minor),
            "currency": "EUR",
            "active": True,
            "status": "active",
            "version": Decimal(1),
            "asset_status": "PENDING",
            **extra,
        }
        self.table.put_item(Item=item)

    def sync(self) -> None:
        self.stream.drain()
