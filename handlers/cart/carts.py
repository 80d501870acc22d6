"""Cart storage in the carts table: a header item and one item per line (handlers.shared.tables).

Consistency: every write is one TransactWriteItems whose header update is conditioned on the
version read (`ADD version :one` if `version = :read`), so concurrent writers never lose an update;
a writer that loses the race re-reads and retries (WRITE_ATTEMPTS), then answers 409.
Expiry: each item carries `expires_at` (DynamoDB TTL); a line untouched for the owner's TTL (7 days
guest, 90 user) drops out, and expired items are filtered on read because TTL deletes lazily.
Clearing: checkout bumps the header's `generation`; lines of an older generation are dead.
Regions: the carts table is a global table (last-writer-wins per item). A cart's home region is
stamped in its header on creation; writes go to the local replica and re-home the cart there, so
with latency routing a cart has one writer region and LWW only arbitrates after a failover.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import ClientError

from handlers.cart.limits import WRITE_ATTEMPTS
from handlers.cart.owners import Owner
from handlers.cart.problems import conflict
from handlers.shared.tables import CARTS

HEADER = "#meta"
LINE_PREFIX = "sku#"
_DAY = 86400
_HASH = CARTS.hash_key.name
_RANGE = CARTS.range_key.name if CARTS.range_key else "line"
_TTL = CARTS.ttl_attribute or "expires_at"


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    added_at: int


@dataclass(frozen=True)
class CartState:
    cart_id: str
    version: int = 0  # 0: no header yet
    generation: int = 0
    currency: str | None = None
    home_region: str | None = None
    merged: frozenset[str] = frozenset()  # guest carts already merged in (exactly once)
    lines: tuple[Line, ...] = ()

    def quantity(self, sku: str) -> int:
        return next((line.quantity for line in self.lines if line.sku == sku), 0)


@dataclass(frozen=True)
class Change:
    """What a write does: new quantities by SKU (0 deletes), plus header facts."""

    quantities: dict[str, int] = field(default_factory=dict)
    currency: str | None = None
    merged_guest: str | None = None
    new_generation: bool = False


def _int(value: dict[str, str] | None, default: int = 0) -> int:
    return int(value["N"]) if value else default


def parse_cart(cart_id: str, items: list[dict[str, Any]], now: int) -> CartState:
    """The live cart from the raw items of one Query: expired and stale-generation lines dropped."""
    header = next((i for i in items if i[_RANGE]["S"] == HEADER), None)
    if header is None:
        return CartState(cart_id=cart_id)
    version = _int(header.get("version"))
    generation = _int(header.get("generation"))
    if _int(header.get(_TTL)) <= now:
        # An expired header (TTL not yet applied) is an empty cart; the next write starts afresh.
        return CartState(cart_id=cart_id, version=version, generation=generation + 1)
    lines = tuple(
        sorted(
            (
                Line(item["sku"]["S"], _int(item["quantity"]), _int(item.get("added_at")))
                for item in items
                if item[_RANGE]["S"].startswith(LINE_PREFIX)
                and _int(item.get(_TTL)) > now
                and _int(item.get("generation")) == generation
                and _int(item.get("quantity")) > 0
            ),
            key=lambda line: (line.added_at, line.sku),
        )
    )
    currency = header.get("currency", {}).get("S")
    return CartState(
        cart_id=cart_id,
        version=version,
        generation=generation,
        currency=currency if lines else None,
        home_region=header.get("home_region", {}).get("S"),
        merged=frozenset(header.get("merged", {}).get("SS", [])),
        lines=lines,
    )


class CartConflict(Exception):
    pass


class CartStore:
    def __init__(self, dynamodb: Any, table: str, region: str) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._region = region

    def read(self, cart_id: str) -> CartState:
        """One strongly consistent Query reads the whole cart."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#h = :id",
            "ExpressionAttributeNames": {"#h": _HASH},
            "ExpressionAttributeValues": {":id": {"S": cart_id}},
            "ConsistentRead": True,
        }
        while True:
            reply = self._dynamodb.query(**kwargs)
            items.extend(reply["Items"])
            if "LastEvaluatedKey" not in reply:
                return parse_cart(cart_id, items, int(time.time()))
            kwargs["ExclusiveStartKey"] = reply["LastEvaluatedKey"]

    def mutate(self, owner: Owner, plan: Callable[[CartState], Change | None]) -> CartState:
        """Read, plan a change (None: nothing to do; a Problem: refuse), write under the version
        condition; retry on a lost race. Returns the cart as written."""
        for attempt in range(WRITE_ATTEMPTS):
            state = self.read(owner.cart_id)
            change = plan(state)
            if change is None:
                return state
            try:
                return self._write(owner, state, change)
            except CartConflict:
                # Jittered backoff spreads the retries of racing writers apart.
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        raise conflict(f"the cart changed concurrently {WRITE_ATTEMPTS} times; retry the request")

    def _write(self, owner: Owner, state: CartState, change: Change) -> CartState:
        now = int(time.time())
        expires_at = now + owner.ttl_days * _DAY
        if state.version == 0:
            # A new header (first write, or after TTL deleted the old one) takes a time-based
            # generation, so a cart id never reuses one: orders are unique per generation.
            generation = time.time_ns() // 1_000_000
        else:
            generation = state.generation + 1 if change.new_generation else state.generation
        names = {"#v": "version", "#g": "generation", "#e": _TTL, "#r": "home_region"}
        values: dict[str, Any] = {
            ":one": {"N": "1"},
            ":g": {"N": str(generation)},
            ":e": {"N": str(expires_at)},
            ":r": {"S": self._region},
            ":owner": {"S": owner.cart_id},
            ":now": {"N": str(now)},
        }
        sets = ["#g = :g", "#e = :e", "#r = :r", "owner_key = :owner", "updated_at = :now"]
        adds = ["#v :one"]
        if change.currency is not None:
            sets.append("currency = :cur")
            values[":cur"] = {"S": change.currency}
        if change.merged_guest is not None:
            adds.append("merged :guest")
            values[":guest"] = {"SS": [change.merged_guest]}
        if state.version == 0:
            condition = "attribute_not_exists(#v)"
        else:
            condition = "#v = :read"
            values[":read"] = {"N": str(state.version)}
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {_HASH: {"S": owner.cart_id}, _RANGE: {"S": HEADER}},
                    "UpdateExpression": f"SET {', '.join(sets)} ADD {', '.join(adds)}",
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        ]
        for sku, quantity in change.quantities.items():
            key = {_HASH: {"S": owner.cart_id}, _RANGE: {"S": LINE_PREFIX + sku}}
            if quantity <= 0:
                actions.append({"Delete": {"TableName": self._table, "Key": key}})
                continue
            added_at = next((ln.added_at for ln in state.lines if ln.sku == sku), now)
            item = {
                **key,
                "sku": {"S": sku},
                "quantity": {"N": str(quantity)},
                "generation": {"N": str(generation)},
                "added_at": {"N": str(added_at)},
                _TTL: {"N": str(expires_at)},
            }
            actions.append({"Put": {"TableName": self._table, "Item": item}})
        try:
            self._dynamodb.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if error.response["Error"]["Code"] in (
                "TransactionCanceledException",
                "ConditionalCheckFailedException",
                "TransactionConflictException",
            ):
                raise CartConflict from None
            raise
        return _apply(state, change, generation, now)


def _apply(state: CartState, change: Change, generation: int, now: int) -> CartState:
    lines = {} if change.new_generation else {line.sku: line for line in state.lines}
    for sku, quantity in change.quantities.items():
        if quantity <= 0:
            lines.pop(sku, None)
        else:
            added_at = lines[sku].added_at if sku in lines else now
            lines[sku] = Line(sku, quantity, added_at)
    ordered = tuple(sorted(lines.values(), key=lambda line: (line.added_at, line.sku)))
    merged = state.merged | {change.merged_guest} if change.merged_guest else state.merged
    return replace(
        state,
        version=state.version + 1,
        generation=generation,
        currency=(change.currency or state.currency) if ordered else None,
        lines=ordered,
        merged=frozenset(merged),
    )
