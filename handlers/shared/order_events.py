"""The order events on each region's bus: their source, and which of them the notifications
queue receives. One definition for the outbox relay that sends them, the cell's EventBridge
rule and the local platform's rule."""

from __future__ import annotations

import json
from typing import Final

ORDER_EVENT_SOURCE: Final = "shop3d.orders"
NOTIFIED_EVENTS: Final = ("OrderPaid", "OrderExpired")


def notification_pattern() -> str:
    """The EventBridge event pattern of the notifications rule."""
    return json.dumps({"source": [ORDER_EVENT_SOURCE], "detail-type": list(NOTIFIED_EVENTS)})
