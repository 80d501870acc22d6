"""The outbox relay: order events committed in Aurora go to the region's EventBridge bus.

At least once: rows are taken `FOR UPDATE SKIP LOCKED` (two relays never take the same row),
sent with PutEvents, and marked published only for the entries the bus accepted, in the same
transaction. A crash between PutEvents and the commit sends those rows again: consumers dedupe
on `outbox_id`, which every event's detail carries. A rolled-back order change never wrote its
row, so no event exists for it. The cart runs the relay after each request that changed an
order, and the scheduled job sweeps whatever that left (a failed PutEvents, a timeout).
"""

from __future__ import annotations

import json
from typing import Any, Final

import psycopg

from handlers.shared.order_events import ORDER_EVENT_SOURCE as SOURCE

# PutEvents takes at most 10 entries per call
# (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html).
PUT_EVENTS_MAX_ENTRIES: Final = 10
MAX_ROUNDS: Final = 20


def relay_once(conn: psycopg.Connection, events: Any, bus_name: str) -> tuple[int, int]:
    """One PutEvents round: (rows taken, rows published)."""
    with conn.transaction(), conn.cursor() as cur:
        rows = cur.execute(
            "SELECT outbox_id, event_type, detail, created_at FROM outbox "
            "WHERE published_at IS NULL ORDER BY outbox_id LIMIT %s FOR UPDATE SKIP LOCKED",
            (PUT_EVENTS_MAX_ENTRIES,),
        ).fetchall()
        if not rows:
            return 0, 0
        reply = events.put_events(
            Entries=[
                {
                    "Source": SOURCE,
                    "DetailType": event_type,
                    "Detail": json.dumps({**detail, "outbox_id": outbox_id}),
                    "EventBusName": bus_name,
                    "Time": created_at,
                }
                for outbox_id, event_type, detail, created_at in rows
            ]
        )
        # Entries answer in request order; a failed one has ErrorCode and no EventId.
        published = [
            row[0]
            for row, entry in zip(rows, reply["Entries"], strict=True)
            if entry.get("EventId")
        ]
        cur.execute(
            "UPDATE outbox SET published_at = now() WHERE outbox_id = ANY(%s)", (published,)
        )
        return len(rows), len(published)


def relay(conn: psycopg.Connection, events: Any, bus_name: str) -> int:
    """Rounds until the outbox is drained, a round publishes nothing, or MAX_ROUNDS; the number
    of events published."""
    total = 0
    for _ in range(MAX_ROUNDS):
        taken, published = relay_once(conn, events, bus_name)
        total += published
        if taken < PUT_EVENTS_MAX_ENTRIES or published == 0:
            break
    return total
