"""PostgreSQL connections and the idempotent schema (shared by the local platform and Aurora)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg

from handlers.shared.deploy_events import CART_SCHEMA_FILE

# Any fixed number: serialises concurrent schema appliers (two Lambdas cold-starting together).
_SCHEMA_LOCK_ID = 0x5330_3364


def apply_schema(conn: psycopg.Connection) -> None:
    """Create the orders/inventory schema if absent; safe to run any number of times."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_ID,))
        cur.execute(CART_SCHEMA_FILE.read_text())


class Connections:
    """One connection per thread, opened on first use (a Lambda container has one thread, so
    one connection; tests run many threads, each with its own real connection)."""

    def __init__(self, url_source: Callable[[], str]) -> None:
        self._url_source = url_source
        self._url: str | None = None
        self._local = threading.local()
        self._lock = threading.Lock()

    def get(self) -> psycopg.Connection:
        conn: psycopg.Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            with self._lock:
                if self._url is None:
                    self._url = self._url_source()
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=5)
            self._local.conn = conn
        return conn
