"""PostgreSQL connections and the idempotent schema (shared by the local platform and Aurora).

`apply_schema` runs with the master credentials (the cart-schema Lambda in AWS, the superuser
locally): the tables, then the cart's own login role and its grants. The cart service connects
as that role (`CART_DATABASE_ROLE`) through `connect`, which takes a new credential from its
source per connection and, after an authentication failure, re-reads it once.
"""

from __future__ import annotations

import threading
from typing import Final
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import errors, sql

from handlers.cart.stores.credentials import CredentialSource
from handlers.shared.deploy_events import (
    CART_DATABASE_ROLE,
    CART_GRANTS_FILE,
    CART_SCHEMA_FILE,
    SEARCH_PROJECTION_ROLE,
)

# Any fixed number: serialises concurrent schema appliers on one database.
_SCHEMA_LOCK_ID: Final = 0x5330_3364
# Aurora's role that makes a login role sign in with IAM auth tokens instead of a password.
RDS_IAM_ROLE: Final = "rds_iam"
CONNECT_TIMEOUT_S: Final = 5
# libpq reports a refused password (SQLSTATE 28P01) only in the message; RDS reports a refused
# IAM token as a PAM failure.
_AUTH_FAILURES: Final = ("password authentication failed", "PAM authentication failed")


def _role_exists(cur: psycopg.Cursor[tuple[object, ...]], role: str) -> bool:
    return cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def _ensure_login_role(conn: psycopg.Connection, name: str) -> None:
    """Create a service's login role unless it exists. Roles belong to the whole server, while
    the advisory lock is per database: a schema step on another database may create it at
    the same moment, so losing that race (inside a savepoint) is fine."""
    role = sql.Identifier(name)
    with conn.cursor() as cur:
        if _role_exists(cur, name):
            return
        try:
            with conn.transaction():
                cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
        except (errors.DuplicateObject, errors.UniqueViolation):
            pass


def apply_schema(conn: psycopg.Connection) -> None:
    """Create the orders/inventory schema if absent, the cart's role and exactly its grants;
    safe to run any number of times. Needs a user that may create roles (the master user)."""
    role = sql.Identifier(CART_DATABASE_ROLE)
    projection_role = sql.Identifier(SEARCH_PROJECTION_ROLE)
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_ID,))
        cur.execute(CART_SCHEMA_FILE.read_text())
        for name in (CART_DATABASE_ROLE, SEARCH_PROJECTION_ROLE):
            _ensure_login_role(conn, name)
        grants = sql.SQL(CART_GRANTS_FILE.read_text())
        cur.execute(
            grants.format(
                role=role,
                projection_role=projection_role,
                database=sql.Identifier(conn.info.dbname),
            )
        )
        # Detected, not configured: Aurora has the role, PostgreSQL (locally) does not, and
        # there the services sign in with a password instead.
        if _role_exists(cur, RDS_IAM_ROLE):
            for login in (role, projection_role):
                cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(RDS_IAM_ROLE), login))


def set_cart_role_password(
    conn: psycopg.Connection, password: str, role: str = CART_DATABASE_ROLE
) -> None:
    """Locally only (no IAM auth there): let the cart's role (or `role`) sign in with
    `password`."""
    conn.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
    )


def url_as_cart_role(url: str, password: str, role: str = CART_DATABASE_ROLE) -> str:
    """`url` (a libpq URL) signing in as the cart's role (or `role`) with `password` instead."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    user = f"{quote(role, safe='')}:{quote(password, safe='')}"
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def is_authentication_failure(error: psycopg.OperationalError) -> bool:
    return any(marker in str(error) for marker in _AUTH_FAILURES)


def _open(conninfo: str) -> psycopg.Connection:
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)


def connect(source: CredentialSource) -> psycopg.Connection:
    """A new autocommit connection; a refused credential is re-read once and retried once when
    the re-read changed it (a rotation after it was read). Other failures raise at once."""
    try:
        return _open(source.conninfo())
    except psycopg.OperationalError as error:
        if not is_authentication_failure(error) or not source.refresh():
            raise
    return _open(source.conninfo())


class Connections:
    """One connection per thread, opened on first use (a Lambda container has one thread, so
    one connection; tests run many threads, each with its own real connection). A broken or
    closed connection is replaced by a new one, with a new credential."""

    def __init__(self, source: CredentialSource) -> None:
        self._source = source
        self._local = threading.local()

    def get(self) -> psycopg.Connection:
        conn: psycopg.Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            conn = connect(self._source)
            self._local.conn = conn
        return conn
