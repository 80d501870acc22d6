"""A shopper's orders, most recent first, and a guest's orders handed to the account the guest
signs in to (the guest proved it owns them with the signed cart cookie): after sign-in the
orders stay readable, now through the account."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from handlers.cart.api.owners import Owner
    from handlers.cart.stores.database import Connections

MAX_LISTED: Final = 50


class OrderHistory:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    def list_for(self, owner: Owner) -> list[dict[str, Any]]:
        rows = (
            self._connections.get()
            .execute(
                "SELECT order_id, status, currency, total_minor, created_at FROM orders "
                "WHERE owner_key = %s ORDER BY created_at DESC LIMIT %s",
                (owner.cart_id, MAX_LISTED),
            )
            .fetchall()
        )
        return [
            {
                "order_id": str(order_id),
                "status": status,
                "currency": currency,
                "total_minor": int(total),
                "created_at": created.isoformat() if isinstance(created, datetime) else created,
            }
            for order_id, status, currency, total, created in rows
        ]

    def adopt(self, guest: Owner, user: Owner) -> int:
        """Move the guest's orders to the user; how many moved (0 on a repeated sign-in)."""
        moved = (
            self._connections.get()
            .execute(
                "UPDATE orders SET owner_key = %s WHERE owner_key = %s",
                (user.cart_id, guest.cart_id),
            )
            .rowcount
        )
        return int(moved)
