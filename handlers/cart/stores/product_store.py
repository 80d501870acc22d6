"""Catalog items as sellers and admins write them (the item shape: handlers/shared/tables.py).

Every write is one conditional DynamoDB request: create only if the SKU is new, update and
archive only at the version the client read (If-Match), so of concurrent editors of one version
exactly one wins and the others learn the current version (412). Each accepted write records a
digest of itself, so a retry of a write that landed (its answer lost) is recognised and answered
as it was, instead of a 409 or 412.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from handlers.cart.api.problems import Problem, bad_request, conflict, not_found
from handlers.shared.tables import (
    CATALOG,
    CATALOG_BY_SELLER,
    CATALOG_BY_STATUS,
    CATALOG_BY_STATUS_CATEGORY,
    IndexSchema,
)

SKU = CATALOG.hash_key.name
_MM_PER_M = Decimal(1000)
# Attributes the product API owns; the asset service owns asset_* and manifest_key.
EDITABLE = ("name", "description", "category", "price_minor", "currency", "status")


def now_iso() -> str:
    """UTC, microseconds, fixed width: string order is time order (the indexes' sort key)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def dimensions_m(mm: dict[str, int] | None) -> list[Decimal] | None:
    if mm is None:
        return None
    return [Decimal(mm[side]) / _MM_PER_M for side in ("width", "height", "depth")]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class ListQuery:
    """One page of a listing: which index, its key value, an optional filter, where to go on."""

    index: IndexSchema
    key: str
    limit: int
    cursor: str | None = None
    status: str | None = None  # filter on the seller index
    category: str | None = None  # filter on the seller and status indexes


def _cursor_keys(index: IndexSchema) -> set[str]:
    assert index.range_key is not None
    return {SKU, index.hash_key.name, index.range_key.name}


def encode_cursor(last_key: dict[str, Any]) -> str:
    raw = base64.urlsafe_b64encode(json.dumps(last_key, sort_keys=True).encode())
    return raw.decode().rstrip("=")  # no padding: nothing to percent-encode in a URL


def decode_cursor(cursor: str, query: ListQuery) -> dict[str, Any]:
    """The ExclusiveStartKey a cursor stands for; a cursor from another listing (another
    seller's, another status) or a made-up one is a 400, never a DynamoDB error."""
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad_request("cursor is not one this API returned: pass next_cursor as is") from None
    if (
        not isinstance(document, dict)
        or set(document) != _cursor_keys(query.index)
        or not all(isinstance(v, str) for v in document.values())
        or document[query.index.hash_key.name] != query.key
    ):
        raise bad_request("cursor belongs to another listing: start again without it")
    return document


class ProductStore:
    def __init__(self, table: Any) -> None:
        self.table = table  # a boto3 DynamoDB Table resource

    def get(self, sku: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={SKU: sku}, ConsistentRead=True).get("Item")
        # An item the asset service made for an upload of an unknown SKU has no seller: it is
        # not a product.
        return dict(item) if item and "seller" in item else None

    # -- writes -----------------------------------------------------------------------------
    def create(self, fields: dict[str, Any], seller: str, request_digest: str) -> dict[str, Any]:
        stamp = now_iso()
        item = {
            **{k: v for k, v in fields.items() if v is not None},
            SKU: fields["sku"],
            "seller": seller,
            "active": fields["status"] == "active",
            "status_category": f"{fields['status']}#{fields['category']}",
            "version": 1,
            "created_at": stamp,
            "updated_at": stamp,
            "write_digest": request_digest,
        }
        try:
            self.table.put_item(
                Item=item,
                # The asset service may have left a seller-less item for this SKU: not a product.
                ConditionExpression="attribute_not_exists(sku) OR attribute_not_exists(seller)",
            )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise
            existing = self.get(fields["sku"])
            if existing is not None and existing.get("write_digest") == request_digest:
                return existing  # this very create, retried
            raise conflict(f"a product with SKU {fields['sku']!r} exists already") from None
        return item

    def update(
        self,
        current: dict[str, Any],
        changes: dict[str, Any],
        expected_version: int,
        request_digest: str,
    ) -> dict[str, Any]:
        """Apply `changes` at `expected_version`; 412 with the current version on a lost race."""
        merged = {**current, **changes}
        names = {"#v": "version", "#u": "updated_at", "#d": "write_digest", "#s": "seller"}
        values: dict[str, Any] = {
            ":expected": expected_version,
            ":next": expected_version + 1,
            ":u": now_iso(),
            ":d": request_digest,
            ":seller": current["seller"],
            ":active": merged["status"] == "active",
            ":sc": f"{merged['status']}#{merged['category']}",
        }
        sets = ["#v = :next", "#u = :u", "#d = :d", "active = :active", "status_category = :sc"]
        for position, (field, value) in enumerate(sorted(changes.items())):
            names[f"#f{position}"] = field
            values[f":f{position}"] = value
            sets.append(f"#f{position} = :f{position}")
        try:
            reply = self.table.update_item(
                Key={SKU: current[SKU]},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="#v = :expected AND #s = :seller",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise
            latest = self.get(current[SKU])
            if latest is None:
                raise not_found(f"no product with SKU {current[SKU]!r}") from None
            if (
                latest.get("write_digest") == request_digest
                and int(latest["version"]) == expected_version + 1
            ):
                return latest  # this very update, retried
            raise precondition_failed(current[SKU], int(latest["version"])) from None
        return dict(reply["Attributes"])

    def set_upload(self, sku: str, upload: dict[str, Any] | None) -> None:
        """Record (or clear) the product's one multipart upload in progress; not a versioned
        edit: uploading a model does not move the version the edit form holds."""
        if upload is None:
            self.table.update_item(Key={SKU: sku}, UpdateExpression="REMOVE pending_upload")
            return
        self.table.update_item(
            Key={SKU: sku},
            UpdateExpression="SET pending_upload = :p",
            ExpressionAttributeValues={":p": upload},
        )

    def mark_uploaded(self, sku: str) -> None:
        """The upload is complete: the asset pipeline has it; the product shows PENDING."""
        self.table.update_item(
            Key={SKU: sku},
            UpdateExpression="SET asset_status = :p REMOVE pending_upload, asset_reason",
            ExpressionAttributeValues={":p": "PENDING"},
        )

    # -- listing ------------------------------------------------------------------------------
    def page(self, query: ListQuery) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `limit` items, newest first, and the cursor of the next page (None: the end)."""
        names = {"#k": query.index.hash_key.name}
        values: dict[str, Any] = {":k": query.key}
        filters = []
        if query.status is not None:
            names["#st"] = "status"
            values[":st"] = query.status
            filters.append("#st = :st")
        if query.category is not None:
            names["#c"] = "category"
            values[":c"] = query.category
            filters.append("#c = :c")
        kwargs: dict[str, Any] = {
            "IndexName": query.index.name,
            "KeyConditionExpression": "#k = :k",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": query.limit,
        }
        if filters:
            kwargs["FilterExpression"] = " AND ".join(filters)
        if query.cursor is not None:
            kwargs["ExclusiveStartKey"] = decode_cursor(query.cursor, query)
        items: list[dict[str, Any]] = []
        while True:
            reply = self.table.query(**kwargs)
            items.extend(reply.get("Items", []))
            last = reply.get("LastEvaluatedKey")
            if last is None:
                return items, None
            if len(items) >= query.limit:
                return items[: query.limit], encode_cursor(_plain(last))
            # A filter left the page short: read on from where DynamoDB stopped.
            kwargs["ExclusiveStartKey"] = last
            kwargs["Limit"] = query.limit - len(items)


def precondition_failed(sku: str, version: int) -> Problem:
    return Problem(
        412,
        "precondition-failed",
        f"product {sku!r} is at version {version}, not the one in If-Match: read it again"
        " and reapply the edit",
        current_version=version,
    )


def index_for(
    *, seller: str | None, status: str | None, category: str | None
) -> tuple[IndexSchema, str]:
    """The index and key value that answer a listing without a Scan."""
    if seller is not None:
        return CATALOG_BY_SELLER, seller
    assert status is not None
    if category is not None:
        return CATALOG_BY_STATUS_CATEGORY, f"{status}#{category}"
    return CATALOG_BY_STATUS, status


def public_view(item: dict[str, Any]) -> dict[str, Any]:
    """The admin API's product document (stock added by the route from PostgreSQL)."""
    dims = item.get("dimensions_m")
    upload = item.get("pending_upload")
    status = str(item.get("asset_status") or "NONE")
    manifest_key = item.get("manifest_key")
    return {
        "sku": item[SKU],
        "seller": item["seller"],
        "name": item.get("name", ""),
        "description": item.get("description", ""),
        "category": item.get("category"),
        "price_minor": _plain(item.get("price_minor")),
        "currency": item.get("currency"),
        "status": item.get("status"),
        "dimensions_mm": None
        if not isinstance(dims, list)
        else dict(
            zip(
                ("width", "height", "depth"),
                (int(Decimal(d) * _MM_PER_M) for d in dims),
                strict=True,
            )
        ),
        "variants": [
            {
                "key": v.get("key"),
                "name": v.get("name"),
                "price_minor": _plain(v.get("price_minor")),
            }
            for v in item.get("variants") or []
            if isinstance(v, dict)
        ],
        "version": int(item["version"]),
        "created_at": item.get("created_at"),
        "updated_at": item.get("updated_at"),
        "asset": {
            "status": status,
            "reason": item.get("asset_reason") if status == "REJECTED" else None,
            "manifest_url": "/" + manifest_key
            if status == "READY" and isinstance(manifest_key, str)
            else None,
        },
        "upload": None
        if not isinstance(upload, dict)
        else {k: _plain(upload[k]) for k in ("upload_id", "file_name", "size", "part_size")},
    }


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
