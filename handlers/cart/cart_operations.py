"""Cart operations: add, set, remove, merge, and the priced view. Prices and totals come from the
catalog in integer minor units; nothing a client sends about prices is read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.cart.api.owners import Owner
from handlers.cart.api.problems import Problem, conflict, invalid, not_found
from handlers.cart.limits import MAX_LINES, MAX_QUANTITY, WRITE_ATTEMPTS
from handlers.cart.stores.cart_store import CartState, CartStore, Change, OtherChanged, Refused
from handlers.shared.catalog import Catalog, Product
from handlers.shared.variants import line_sku, split_line_sku

if TYPE_CHECKING:
    from handlers.cart.stores.availability import StockLevels


def priced_lines(state: CartState, products: dict[str, Product]) -> list[dict[str, Any]]:
    """The contract's line shape; lines whose product is gone or inactive are left out."""
    lines = []
    for line in state.lines:
        product = products.get(line.sku)
        if product is None or not product.active:
            continue
        lines.append(
            {
                "sku": line.sku,
                "name": product.name,
                "variant": None
                if product.variant is None
                else {"key": product.variant.key, "name": product.variant.name},
                "quantity": line.quantity,
                "unit_price_minor": product.price_minor,
                "line_total_minor": product.price_minor * line.quantity,
            }
        )
    return lines


class CartService:
    def __init__(
        self, store: CartStore, catalog: Catalog, stock: StockLevels | None = None
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.stock = stock  # None: no database configured, availability unknown

    def view(self, state: CartState, known: Product | None = None) -> dict[str, Any]:
        """The priced cart; `known`: a product just read (not fetched again)."""
        wanted = [line.sku for line in state.lines if known is None or line.sku != known.sku]
        products = self.catalog.products(wanted)
        if known is not None:
            products[known.sku] = known
        lines = priced_lines(state, products)
        return {
            "cart_id": state.cart_id,
            "version": state.version,
            "currency": state.currency if lines else None,
            "total_minor": sum(line["line_total_minor"] for line in lines),
            "lines": lines,
        }

    def _sellable(self, sku: str) -> Product:
        product = self.catalog.product(sku)
        if product is None:
            raise invalid(self._unknown(sku), sku=sku)
        if not product.active:
            raise invalid(f"SKU {sku!r} is not for sale (inactive)", sku=sku)
        if product.variants:
            raise invalid(
                f"SKU {sku!r} comes in variants: add one of "
                + ", ".join(line_sku(sku, v.key) for v in product.variants),
                sku=sku,
            )
        if self.stock is not None and self.stock.of([sku])[sku] == "sold_out":
            raise conflict(f"SKU {sku!r} is sold out: it cannot be added to a cart", sku=sku)
        return product

    def _unknown(self, sku: str) -> str:
        """Why a SKU is not in the catalog: no product, or no such variant of one."""
        product_sku, key = split_line_sku(sku)
        product = None if key is None else self.catalog.product(product_sku)
        if product is None:
            return f"unknown SKU {sku!r}"
        keys = ", ".join(v.key for v in product.variants) or "none"
        return f"SKU {product_sku!r} has no variant {key!r}; its variants: {keys}"

    def public(self, products: list[Product]) -> list[dict[str, Any]]:
        """The storefront's product shapes, each with its availability (not its stock), and
        each variant's: a variant is stocked on its own line SKU."""
        skus = [p.sku for p in products]
        skus += [line_sku(p.sku, v.key) for p in products for v in p.variants]
        levels = {} if self.stock is None else self.stock.of(skus)

        def level(sku: str) -> str | None:
            return None if sku not in levels else levels[sku].value

        shapes = []
        for product in products:
            shape = product.public()
            for variant in shape["variants"]:
                variant["availability"] = level(variant["sku"])
            shapes.append({**shape, "availability": level(product.sku)})
        return shapes

    def get(self, owner: Owner) -> dict[str, Any]:
        return self.view(self.store.read(owner.cart_id))

    def add(self, owner: Owner, sku: str, quantity: int) -> dict[str, Any]:
        product = self._sellable(sku)
        try:
            state = self.store.add(owner, sku, quantity, product.currency)
        except Refused as refused:
            raise _why_refused(refused.state, product, quantity) from None
        return self.view(state, product)

    def set(self, owner: Owner, sku: str, quantity: int) -> dict[str, Any]:
        product = self._sellable(sku)
        try:
            state = self.store.set(owner, sku, quantity, product.currency)
        except Refused as refused:
            raise _why_refused(refused.state, product) from None
        return self.view(state, product)

    def remove(self, owner: Owner, sku: str) -> dict[str, Any]:
        try:
            state = self.store.remove(owner, sku)
        except Refused:  # the only condition: the line exists
            raise not_found(f"SKU {sku!r} is not in this cart") from None
        return self.view(state)

    def merge(self, user: Owner, guest: Owner) -> dict[str, Any]:
        """Merge, re-reading the guest cart when it changed under the transaction."""
        for _ in range(WRITE_ATTEMPTS):
            try:
                return self._merge_once(user, guest)
            except OtherChanged:
                continue
        raise conflict(f"the guest cart changed concurrently {WRITE_ATTEMPTS} times; retry")

    def _merge_once(self, user: Owner, guest: Owner) -> dict[str, Any]:
        """Add the guest cart's lines into the user's cart, exactly once: the guest cart id is
        recorded in the user's cart in the same conditional write, so a retried or concurrent
        merge sees it and changes nothing. Quantities add up to MAX_QUANTITY; lines past
        MAX_LINES or priced in another currency are reported in `not_merged`. The guest cart is
        emptied (its next generation) in the same transaction: it cannot be merged twice by two
        accounts, nor checked out by the guest afterwards."""
        guest_state = self.store.read(guest.cart_id)
        skipped: list[str] = []

        def plan(state: CartState) -> Change | None:
            skipped.clear()
            if guest.cart_id in state.merged or not guest_state.lines:
                return None
            quantities: dict[str, int] = {}
            currency = state.currency or guest_state.currency
            live = {line.sku for line in state.lines}
            for line in guest_state.lines:
                target = min(MAX_QUANTITY, state.quantity(line.sku) + line.quantity)
                fits = line.sku in live or len(live) < MAX_LINES
                if guest_state.currency != currency or not fits:
                    skipped.append(line.sku)
                    continue
                live.add(line.sku)
                if target != state.quantity(line.sku):
                    quantities[line.sku] = target
            return Change(quantities=quantities, currency=currency, merged_guest=guest.cart_id)

        view = self.view(self.store.mutate(user, plan, empty=(guest, guest_state)))
        return {**view, "not_merged": list(skipped)}


def _why_refused(before: CartState, product: Product, added: int = 0) -> Problem:
    """Which limit a refused add (`added` > 0) or set hit, from the cart as it was."""
    sku = product.sku
    if before.currency is not None and before.currency != product.currency:
        return invalid(
            f"this cart is priced in {before.currency}; SKU {sku!r} is priced in "
            f"{product.currency}: one currency per cart",
            sku=sku,
        )
    total = before.quantity(sku) + added
    if added and total > MAX_QUANTITY:
        return invalid(
            f"SKU {sku!r} would reach quantity {total}; at most {MAX_QUANTITY} per line", sku=sku
        )
    if before.quantity(sku) == 0 and len(before.lines) >= MAX_LINES:
        return invalid(f"the cart already has {MAX_LINES} lines; at most {MAX_LINES}")
    # Every condition of the write is one of the above, checked against the same item.
    return conflict(f"the cart changed while SKU {sku!r} was written; retry the request")
