"""Cart storage: one item per cart in the carts table (keys from handlers.shared.tables).

Layout: the item's key is (cart_id, CART_ITEM). Each line is two top-level attributes,
`qty#<sku>` (quantity) and `added#<sku>` (when it was added: the lines' order), and `skus`, a
string set of the cart's SKUs, counts the lines. Beside them: version, generation, currency,
home_region, merged (the guest carts merged in), owner_key, updated_at and expires_at (TTL).
100 lines of 64-character SKUs make about 25 KB, well under DynamoDB's 400 KB item limit.

Writes: add, set and remove are each one UpdateItem. Its condition enforces the limits (a line's
quantity stays within 1..MAX_QUANTITY: `ADD qty :q` only if `qty <= MAX_QUANTITY - q`; at most
MAX_LINES lines: `size(skus) < MAX_LINES OR contains(skus, :sku)`; one currency; the cart not
expired); it ADDs 1 to `version` (every applied write bumps it exactly once, and ADD is atomic,
so racing writers never lose an update), stamps the TTL and the home region, and returns the
new cart (ReturnValues=ALL_NEW): no read before the write, no read after it. A refused write
returns the item as it was (ReturnValuesOnConditionCheckFailure=ALL_OLD), which tells which
limit was hit without another read.
Merge and checkout's clearing rewrite the whole cart: a PutItem conditioned on the version the
plan was made from; a writer that loses re-plans from the item its refused write returned.

Expiry: `expires_at` is the owner's TTL (7 days guest, 90 user) after the cart's last write.
DynamoDB deletes expired items lazily, so an expired item reads as an empty cart, and the next
write first replaces it with an empty one of the next generation.
Clearing: checkout bumps `generation` and empties the cart; a generation becomes at most one order.
Regions: the carts table is a global table (last-writer-wins per item). Every write stamps the
region it was made in as the cart's home region; with latency routing a cart has one writer
region, and LWW only arbitrates between writes made within the replication lag after a failover.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import ClientError

from handlers.cart.api.owners import Owner
from handlers.cart.api.problems import conflict
from handlers.cart.limits import MAX_LINES, MAX_QUANTITY, WRITE_ATTEMPTS
from handlers.shared.tables import CARTS

CART_ITEM = "#cart"  # the range key value of a cart's one item
QUANTITY_PREFIX = "qty#"
ADDED_PREFIX = "added#"
SKUS = "skus"
_DAY = 86400
_HASH = CARTS.hash_key.name
_RANGE = CARTS.range_key.name if CARTS.range_key else "line"
_TTL = CARTS.ttl_attribute or "expires_at"
_REFUSED = "ConditionalCheckFailedException"


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    added_at: int


@dataclass(frozen=True)
class CartState:
    cart_id: str
    version: int = 0  # 0: no item yet
    generation: int = 0
    currency: str | None = None
    home_region: str | None = None
    merged: frozenset[str] = frozenset()  # guest carts already merged in (exactly once)
    lines: tuple[Line, ...] = ()
    expired: bool = False  # the stored item is past its TTL (read as empty)

    def quantity(self, sku: str) -> int:
        return next((line.quantity for line in self.lines if line.sku == sku), 0)


@dataclass(frozen=True)
class Change:
    """What a whole-cart rewrite does: new quantities by SKU (0 deletes), plus header facts."""

    quantities: dict[str, int] = field(default_factory=dict)
    currency: str | None = None
    merged_guest: str | None = None
    new_generation: bool = False


class OtherChanged(Exception):
    """The second cart of a paired write changed since it was read (read it again)."""


class Refused(Exception):
    """A conditional write was refused; `state` is the cart as it was (from ALL_OLD)."""

    def __init__(self, state: CartState) -> None:
        super().__init__(f"write to cart {state.cart_id} refused by its condition")
        self.state = state


def _int(value: dict[str, str] | None, default: int = 0) -> int:
    return int(value["N"]) if value else default


def parse_cart(cart_id: str, item: dict[str, Any] | None, now: int) -> CartState:
    """The live cart from its raw item (None: no cart yet); an expired item is an empty cart of
    the next generation."""
    if not item:
        return CartState(cart_id=cart_id)
    version = _int(item.get("version"))
    generation = _int(item.get("generation"))
    merged = frozenset(item.get("merged", {}).get("SS", []))
    if _int(item.get(_TTL)) <= now:
        return CartState(cart_id, version, generation + 1, merged=merged, expired=True)
    lines = tuple(
        sorted(
            (
                Line(sku, _int(value), _int(item.get(ADDED_PREFIX + sku)))
                for name, value in item.items()
                if name.startswith(QUANTITY_PREFIX) and (sku := name[len(QUANTITY_PREFIX) :])
            ),
            key=lambda line: (line.added_at, line.sku),
        )
    )
    return CartState(
        cart_id=cart_id,
        version=version,
        generation=generation,
        currency=item.get("currency", {}).get("S") if lines else None,
        home_region=item.get("home_region", {}).get("S"),
        merged=merged,
        lines=lines,
    )


class CartStore:
    def __init__(self, dynamodb: Any, table: str, region: str) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._region = region

    def _key(self, cart_id: str) -> dict[str, Any]:
        return {_HASH: {"S": cart_id}, _RANGE: {"S": CART_ITEM}}

    def read(self, cart_id: str) -> CartState:
        """One strongly consistent GetItem reads the whole cart."""
        reply = self._dynamodb.get_item(
            TableName=self._table, Key=self._key(cart_id), ConsistentRead=True
        )
        return parse_cart(cart_id, reply.get("Item"), int(time.time()))

    # -- one-write line operations ----------------------------------------------------------------
    def add(self, owner: Owner, sku: str, quantity: int, currency: str) -> CartState:
        """Add `quantity` to the SKU's line (creating it); Refused if a limit would be passed."""
        return self._update(
            owner,
            sku,
            sets=["#t = if_not_exists(#t, :now)", "currency = :cur"],
            adds=["#q :q", f"{SKUS} :sku_set"],
            conditions=[
                f"(attribute_not_exists({SKUS}) OR currency = :cur)",
                "(attribute_not_exists(#q) OR #q <= :room)",
                _LINE_ROOM,
            ],
            values={
                ":q": {"N": str(quantity)},
                ":room": {"N": str(MAX_QUANTITY - quantity)},
                ":cur": {"S": currency},
                **_line_room_values(sku),
            },
        )

    def set(self, owner: Owner, sku: str, quantity: int, currency: str) -> CartState:
        """Set the SKU's line to `quantity` (creating it); Refused if a limit would be passed."""
        return self._update(
            owner,
            sku,
            sets=["#t = if_not_exists(#t, :now)", "currency = :cur", "#q = :q"],
            adds=[f"{SKUS} :sku_set"],
            conditions=[f"(attribute_not_exists({SKUS}) OR currency = :cur)", _LINE_ROOM],
            values={":q": {"N": str(quantity)}, ":cur": {"S": currency}, **_line_room_values(sku)},
        )

    def remove(self, owner: Owner, sku: str) -> CartState:
        """Delete the SKU's line; Refused if the cart has no such line."""
        return self._update(
            owner,
            sku,
            sets=[],
            adds=[],
            conditions=["attribute_exists(#q)"],
            values={},
            tail=f" REMOVE #q, #t DELETE {SKUS} :sku_set",
        )

    def _update(
        self,
        owner: Owner,
        sku: str,
        *,
        sets: list[str],
        adds: list[str],
        conditions: list[str],
        values: dict[str, Any],
        tail: str = "",
    ) -> CartState:
        """One UpdateItem that also stamps version, TTL and home region, under the operation's
        conditions plus "not expired". An expired item is first replaced by an empty cart."""
        for _ in range(WRITE_ATTEMPTS):
            now = int(time.time())
            stamps = [
                "#e = :e",
                "home_region = :r",
                "owner_key = :owner",
                "updated_at = :now",
                "generation = if_not_exists(generation, :new_gen)",
            ]
            expression = f"SET {', '.join(stamps + sets)} ADD {', '.join(['version :one', *adds])}"
            try:
                reply = self._dynamodb.update_item(
                    TableName=self._table,
                    Key=self._key(owner.cart_id),
                    UpdateExpression=expression + tail,
                    ConditionExpression=" AND ".join(
                        ["(attribute_not_exists(#e) OR #e > :now)", *conditions]
                    ),
                    ExpressionAttributeNames={
                        "#q": QUANTITY_PREFIX + sku,
                        "#t": ADDED_PREFIX + sku,
                        "#e": _TTL,
                    },
                    ExpressionAttributeValues={
                        **values,
                        ":one": {"N": "1"},
                        ":now": {"N": str(now)},
                        ":e": {"N": str(now + owner.ttl_days * _DAY)},
                        ":r": {"S": self._region},
                        ":owner": {"S": owner.cart_id},
                        ":new_gen": {"N": str(_new_generation())},
                        ":sku_set": {"SS": [sku]},
                    },
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except ClientError as error:
                before = _refused_state(error, owner.cart_id, now)
                if not before.expired:
                    raise Refused(before) from None
                self._reset(owner, before)
                continue
            return parse_cart(owner.cart_id, reply["Attributes"], now)
        raise conflict(f"the cart changed concurrently {WRITE_ATTEMPTS} times; retry the request")

    def _reset(self, owner: Owner, expired: CartState) -> None:
        """Replace an expired item with an empty cart (unless a racing writer already did)."""
        with contextlib.suppress(Refused):
            self._put(owner, _apply(expired, Change(), int(time.time())), expired.version)

    # -- whole-cart rewrites --------------------------------------------------------------------
    def mutate(
        self,
        owner: Owner,
        plan: Callable[[CartState], Change | None],
        start: CartState | None = None,
        empty: tuple[Owner, CartState] | None = None,
    ) -> CartState:
        """Plan a change from the cart (`start`, else read; a plan returns None for nothing to
        do or raises a Problem to refuse), write it under the version condition; a lost race
        re-plans from the cart its refused write returned. Returns the cart as written.
        `empty`: another cart (as read) emptied in the same transaction; OtherChanged if it
        moved on since."""
        state = start if start is not None else self.read(owner.cart_id)
        for attempt in range(WRITE_ATTEMPTS):
            change = plan(state)
            if change is None:
                return state
            written = _apply(state, change, int(time.time()))
            try:
                if empty is None:
                    self._put(owner, written, state.version)
                else:
                    # The emptied cart starts its next generation, in the same transaction.
                    other, other_state = empty
                    emptied = _apply(other_state, Change(new_generation=True), int(time.time()))
                    self.put_pair(
                        owner, written, state.version, other, emptied, other_state.version
                    )
                return written
            except Refused as refused:
                state = refused.state
                # Jittered backoff spreads the retries of racing writers apart.
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        raise conflict(f"the cart changed concurrently {WRITE_ATTEMPTS} times; retry the request")

    def _put(self, owner: Owner, cart: CartState, expected_version: int) -> None:
        now = int(time.time())
        condition, values = _version_condition(expected_version)
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=self._item(owner, cart, now),
                ConditionExpression=condition,
                **({"ExpressionAttributeValues": values} if values else {}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            raise Refused(_refused_state(error, owner.cart_id, now)) from None

    def put_pair(
        self,
        owner: Owner,
        cart: CartState,
        expected: int,
        other: Owner,
        other_cart: CartState,
        other_expected: int,
    ) -> None:
        """Two whole-cart writes in one transaction (merge: the user's cart and the emptied
        guest cart), each conditioned on its version. Refused (the first cart as it was) or
        OtherChanged (the second moved on) when a condition fails; nothing is written then."""
        now = int(time.time())
        writes = []
        for who, state, version in ((owner, cart, expected), (other, other_cart, other_expected)):
            condition, values = _version_condition(version)
            put: dict[str, Any] = {
                "TableName": self._table,
                "Item": self._item(who, state, now),
                "ConditionExpression": condition,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
            if values:
                put["ExpressionAttributeValues"] = values
            writes.append({"Put": put})
        try:
            self._dynamodb.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            first = reasons[0] if reasons else {}
            if first.get("Code") == "ConditionalCheckFailed":
                before = first.get("Item")
                raise Refused(
                    parse_cart(owner.cart_id, dict(before) if before else None, now)
                ) from None
            if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
                raise OtherChanged(other.cart_id) from None
            raise

    def _item(self, owner: Owner, cart: CartState, now: int) -> dict[str, Any]:
        item: dict[str, Any] = {
            **self._key(owner.cart_id),
            "version": {"N": str(cart.version)},
            "generation": {"N": str(cart.generation)},
            "home_region": {"S": self._region},
            "owner_key": {"S": owner.cart_id},
            "updated_at": {"N": str(now)},
            _TTL: {"N": str(now + owner.ttl_days * _DAY)},
        }
        if cart.currency is not None:
            item["currency"] = {"S": cart.currency}
        if cart.merged:
            item["merged"] = {"SS": sorted(cart.merged)}
        if cart.lines:
            item[SKUS] = {"SS": [line.sku for line in cart.lines]}
        for line in cart.lines:
            item[QUANTITY_PREFIX + line.sku] = {"N": str(line.quantity)}
            item[ADDED_PREFIX + line.sku] = {"N": str(line.added_at)}
        return item


def _version_condition(expected_version: int) -> tuple[str, dict[str, Any] | None]:
    if expected_version == 0:
        return "attribute_not_exists(version)", None
    return "version = :read", {":read": {"N": str(expected_version)}}


# A line that is new needs room under MAX_LINES; a line already in the cart always fits.
_LINE_ROOM = (
    f"(attribute_not_exists({SKUS}) OR size({SKUS}) < :max_lines OR contains({SKUS}, :sku))"
)


def _line_room_values(sku: str) -> dict[str, Any]:
    return {":sku": {"S": sku}, ":max_lines": {"N": str(MAX_LINES)}}


def _new_generation() -> int:
    # A new cart takes a time-based generation, so a cart id never reuses one (TTL may have
    # deleted the previous item): orders are unique per (cart, generation).
    return time.time_ns() // 1_000_000


def _refused_state(error: ClientError, cart_id: str, now: int) -> CartState:
    """The cart as it was when a conditional write was refused; other errors propagate."""
    if error.response["Error"]["Code"] != _REFUSED:
        raise error
    before: dict[str, Any] | None = error.response.get("Item")  # type: ignore[assignment]
    return parse_cart(cart_id, before, now)


def _apply(state: CartState, change: Change, now: int) -> CartState:
    """The cart after a whole-cart rewrite (what `_put` stores)."""
    if state.version == 0:
        generation = _new_generation()
    else:
        generation = state.generation + 1 if change.new_generation else state.generation
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
        expired=False,
    )
