"""A guest's orders handed to the account the guest signs in to (the guest proved it owns them
with the signed cart cookie): after sign-in the orders stay readable, now through the account
(listed by Orders.list)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.cart.api.owners import Owner
    from handlers.cart.stores.database import Connections


class OrderHistory:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

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
