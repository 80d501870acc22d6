"""The cart's database access against real PostgreSQL: the cart's role has exactly the grants
checkout and order reads need and nothing else; Aurora's rds_iam is granted when it exists; the
cart in AWS signs in with an IAM auth token; a master secret rotated after it was read is read
again once (from moto's Secrets Manager) and the retry succeeds."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import boto3
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from handlers.cart import schema_lambda as schema_entry
from handlers.cart.settings import DatabaseSecret, Settings
from handlers.cart.stores.credentials import IamAuthToken, SecretCredentials
from handlers.cart.stores.database import (
    RDS_IAM_ROLE,
    Connections,
    apply_schema,
    connect,
    set_cart_role_password,
    url_as_cart_role,
)
from handlers.cart.wiring import Services
from handlers.shared import env
from handlers.shared.deploy_events import (
    APPLY_SCHEMA_EVENT_KEY,
    CART_DATABASE_ROLE,
    cart_schema_sha256,
)
from local.lambda_runtime import LambdaContext
from local.servers import PostgresServer

MASTER = "shop3d_admin"
REGION = "eu-west-1"


def _as_cart_role(admin_url: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        apply_schema(conn)
        set_cart_role_password(conn, "local-cart-password")
    return url_as_cart_role(admin_url, "local-cart-password")


# --- grants (the shared test server) -------------------------------------------------------


def test_the_cart_role_has_exactly_the_grants_checkout_and_order_reads_need(pg_database):
    with psycopg.connect(pg_database, autocommit=True) as admin:
        apply_schema(admin)
        admin.execute(
            sql.SQL("GRANT DELETE ON orders TO {}").format(sql.Identifier(CART_DATABASE_ROLE))
        )
        apply_schema(admin)  # converges: a grant not in grants.sql is revoked again
        tables = set(
            admin.execute(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants"
                " WHERE grantee = %s",
                (CART_DATABASE_ROLE,),
            ).fetchall()
        )
        columns = set(
            admin.execute(
                "SELECT table_name, column_name FROM information_schema.column_privileges"
                " WHERE grantee = %s AND privilege_type = 'UPDATE'",
                (CART_DATABASE_ROLE,),
            ).fetchall()
        )
        memberships = admin.execute(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
            " WHERE r.rolname = %s",
            (CART_DATABASE_ROLE,),
        ).fetchone()
    assert tables == {
        ("inventory", "SELECT"),
        ("orders", "SELECT"),
        ("orders", "INSERT"),
        ("order_lines", "SELECT"),
        ("order_lines", "INSERT"),
        ("order_events", "SELECT"),
        ("order_events", "INSERT"),
        ("outbox", "SELECT"),
        ("outbox", "INSERT"),
        ("stripe_events", "SELECT"),
        ("stripe_events", "INSERT"),
        # Search reads the projection; only the projection's own role writes it.
        ("search_products", "SELECT"),
    }
    # Transitions change only the state columns; the relay only marks rows published; owner_key:
    # signing in hands a guest's orders to the account (order_history.adopt).
    assert columns == {
        ("inventory", "on_hand"),
        ("inventory", "updated_at"),
        ("orders", "owner_key"),
        ("orders", "status"),
        ("orders", "payment_status"),
        ("orders", "payment_intent_id"),
        ("orders", "updated_at"),
        ("outbox", "published_at"),
        ("stripe_events", "order_id"),
    }
    assert memberships == (0,)  # no rds_iam here (plain PostgreSQL): password sign-in


ORDER_TABLES = {"inventory", "orders", "order_lines", "order_events", "outbox", "stripe_events"}
SCHEMA_TABLES = ORDER_TABLES | {"search_products"}
FORBIDDEN = [
    "DROP TABLE orders",
    "DELETE FROM orders",
    "TRUNCATE order_lines",
    "UPDATE orders SET total_minor = 0",
    "DELETE FROM stripe_events",
    "UPDATE outbox SET detail = '{}'",
    "DELETE FROM order_events",
    "UPDATE search_products SET visible = false",
    "INSERT INTO inventory (sku, on_hand) VALUES ('FREE-1', 1000)",
    "UPDATE inventory SET sku = 'RENAMED'",
    "ALTER TABLE inventory DROP CONSTRAINT inventory_on_hand_check",
    "CREATE TABLE loot (x int)",
    "CREATE TEMPORARY TABLE scratch (x int)",
    "SELECT * FROM payment_tokens",
    f"CREATE ROLE intruder LOGIN IN ROLE {CART_DATABASE_ROLE}",
]


def test_the_cart_role_cannot_do_what_it_must_not(pg_database):
    cart_url = _as_cart_role(pg_database)
    with psycopg.connect(pg_database, autocommit=True) as admin:
        admin.execute("CREATE TABLE payment_tokens (token text)")  # a table it has no grant on
        admin.execute("INSERT INTO inventory (sku, on_hand) VALUES ('CHAIR-1', 3)")
    refused = []
    with psycopg.connect(cart_url, autocommit=True) as cart:
        assert cart.execute("SELECT current_user").fetchone() == (CART_DATABASE_ROLE,)
        for statement in FORBIDDEN:
            try:
                cart.execute(statement)
            except psycopg.errors.InsufficientPrivilege:
                refused.append(statement)
        # What checkout does is allowed: reserve stock and read what is left.
        row = cart.execute(
            "UPDATE inventory SET on_hand = on_hand - 1, updated_at = now()"
            " WHERE sku = 'CHAIR-1' AND on_hand >= 1 RETURNING on_hand"
        ).fetchone()
    assert refused == FORBIDDEN
    assert row == (2,)


def test_the_cart_service_signs_in_as_its_role(services):
    with Connections(services.database).get() as conn:
        assert conn.execute("SELECT current_user").fetchone() == (CART_DATABASE_ROLE,)


# --- IAM auth tokens ---------------------------------------------------------------------------


def test_in_aws_each_connection_signs_an_iam_token_as_the_password(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret-access-key")
    host = f"orders-{REGION}.cluster-abcdefghijkl.{REGION}.rds.amazonaws.com"
    settings = Settings.from_env(
        {
            env.CATALOG_TABLE: "catalog",
            env.CARTS_TABLE: "carts",
            env.IDEMPOTENCY_TABLE: "idem",
            env.CART_COOKIE_KEY: "k" * 32,
            "AWS_REGION": REGION,
            env.DATABASE_IAM_USER: CART_DATABASE_ROLE,
            env.DATABASE_HOST: host,
            env.DATABASE_PORT: "5432",
            env.DATABASE_NAME: "shop3d",
        }
    )
    source = Services.from_settings(settings).database
    assert isinstance(source, IamAuthToken)
    parts = conninfo_to_dict(source.conninfo())
    assert (parts["user"], parts["host"], parts["port"], parts["dbname"], parts["sslmode"]) == (
        CART_DATABASE_ROLE,
        host,
        "5432",
        "shop3d",
        "require",
    )
    token = str(parts["password"])
    # A presigned rds-db:connect request for this user and host, valid 15 minutes.
    assert token.startswith(f"{host}:5432/?Action=connect&DBUser={CART_DATABASE_ROLE}&")
    day = token.split("X-Amz-Date=")[1][:8]
    # Signed for the cluster's region and the rds-db service (the key id is whichever
    # credentials boto3's default session resolved first).
    assert f"%2F{day}%2F{REGION}%2Frds-db%2Faws4_request&" in token
    assert "X-Amz-Expires=900" in token and "X-Amz-Signature=" in token
    assert source.refresh() is False  # nothing to re-read: the next connection signs anew


# --- a server that checks passwords, and moto's Secrets Manager -----------------------------


class TlsPasswordPostgres(PostgresServer):
    """PostgreSQL as Aurora treats the services: every role but the superuser must come over
    TLS and sign in with its password (a self-signed certificate: sslmode=require encrypts,
    it does not verify)."""

    HBA_CONF: ClassVar[str] = (
        "host all postgres 127.0.0.1/32 trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n"
    )

    def prepare(self) -> None:
        super().prepare()
        cert, key = self.state_dir / "server.crt", self.state_dir / "server.key"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
        )
        key.chmod(0o600)  # PostgreSQL refuses a key others can read
        user = self.server_user()
        if user is not None:
            for path in (cert, key):
                shutil.chown(path, user, user)

    def command(self) -> list[str]:
        files = [
            f"ssl_cert_file={self.state_dir / 'server.crt'}",
            f"ssl_key_file={self.state_dir / 'server.key'}",
        ]
        return [*super().command(), "-c", "ssl=on", *(a for f in files for a in ("-c", f))]


@dataclass
class Master:
    """A non-superuser master (CREATEROLE, owns the database), its secret, and the
    GetSecretValue calls counted on the client the source uses."""

    server: PostgresServer
    database: str
    secrets: Any
    arn: str
    reads: list[str]

    def rotate(self, password: str, *, update_secret: bool = True) -> None:
        with psycopg.connect(self.server.url(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(MASTER), sql.Literal(password)
                )
            )
        if update_secret:
            self.secrets.put_secret_value(SecretId=self.arn, SecretString=self.document(password))

    def document(self, password: str, port: int | None = None) -> str:
        return json.dumps(
            {
                "engine": "postgres",
                "username": MASTER,
                "password": password,
                "host": "127.0.0.1",
                "port": port or self.server.port,
                "dbname": self.database,
            }
        )

    def source(self) -> SecretCredentials:
        return SecretCredentials(self.secrets, DatabaseSecret(self.arn, None))


@pytest.fixture(scope="module")
def password_server() -> Iterator[PostgresServer]:
    with TlsPasswordPostgres() as server:
        yield server


@pytest.fixture
def master(password_server, moto_endpoint) -> Iterator[Master]:
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    reads: list[str] = []
    secrets.meta.events.register(
        "after-call.secrets-manager.GetSecretValue", lambda **_: reads.append("read")
    )
    database = "orders"
    with psycopg.connect(password_server.url(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD 'first'").format(
                sql.Identifier(MASTER)
            )
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(database), sql.Identifier(MASTER)
            )
        )
    master = Master(password_server, database, secrets, "", reads)
    master.arn = secrets.create_secret(
        Name=f"master-{id(master)}", SecretString=master.document("first")
    )["ARN"]
    yield master
    with psycopg.connect(password_server.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(MASTER)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(MASTER)))
    secrets.delete_secret(SecretId=master.arn, ForceDeleteWithoutRecovery=True)


def test_a_secret_rotated_after_it_was_read_is_read_again_and_the_retry_succeeds(master):
    source = master.source()
    with connect(source) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (MASTER,)
    assert len(master.reads) == 1
    master.rotate("second")
    # What a warm container holds now is refused...
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(source.conninfo())
    assert len(master.reads) == 1
    # ...so the next connection reads the secret again, once, and signs in.
    with connect(source) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (MASTER,)
    assert len(master.reads) == 2


def test_the_secret_is_read_again_only_once(master):
    source = master.source()
    source.conninfo()
    master.rotate("not-in-the-secret-yet", update_secret=False)  # mid-rotation
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(source)
    assert len(master.reads) == 2  # the first read and one re-read; no retry with the same value
    master.secrets.put_secret_value(
        SecretId=master.arn, SecretString=master.document("not-in-the-secret-yet")
    )
    with connect(source) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert len(master.reads) == 3


def test_a_failure_other_than_authentication_does_not_re_read(master):
    nothing_listens = 1  # a privileged port no test server uses: connection refused
    master.secrets.put_secret_value(
        SecretId=master.arn, SecretString=master.document("first", port=nothing_listens)
    )
    with pytest.raises(psycopg.OperationalError) as refused:
        connect(master.source())
    assert "authentication" not in str(refused.value)
    assert len(master.reads) == 1


# --- the cart-schema Lambda (master secret from moto, password-checking PostgreSQL) -----------


@pytest.fixture
def schema_lambda(master, aws_env, monkeypatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.delenv(env.HOME_REGION, raising=False)
    monkeypatch.delenv(env.DATABASE_URL, raising=False)  # the cart's, if a cart fixture set it
    monkeypatch.setenv(env.DATABASE_SECRET_ARN, master.arn)
    schema_entry._master_credentials.cache_clear()
    yield schema_entry.lambda_handler
    schema_entry._master_credentials.cache_clear()


def _tables(master: Master) -> set[str]:
    with psycopg.connect(master.server.url(master.database), autocommit=True) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in rows}


def test_the_deploy_event_applies_the_schema_with_the_master_secret_across_a_rotation(
    master, schema_lambda
):
    event = {APPLY_SCHEMA_EVENT_KEY: {"schema_sha256": cart_schema_sha256()}}
    assert schema_lambda(event, LambdaContext()) == {"applied": cart_schema_sha256()}
    assert _tables(master) == SCHEMA_TABLES
    with psycopg.connect(master.server.url(master.database), autocommit=True) as conn:
        conn.execute("DROP TABLE order_lines")
    master.rotate("rotated-while-warm")
    assert schema_lambda(event, LambdaContext()) == {"applied": cart_schema_sha256()}
    assert _tables(master) == SCHEMA_TABLES


def test_the_schema_grants_rds_iam_where_it_exists(master, schema_lambda):
    """Aurora has rds_iam; this server gets one for the test, as Aurora would have it."""
    with psycopg.connect(master.server.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(RDS_IAM_ROLE)))
    try:
        schema_lambda({APPLY_SCHEMA_EVENT_KEY: {}}, LambdaContext())
        with psycopg.connect(master.server.url(), autocommit=True) as conn:
            granted = conn.execute(
                "SELECT pg_has_role(%s, %s, 'MEMBER')", (CART_DATABASE_ROLE, RDS_IAM_ROLE)
            ).fetchone()
    finally:
        with psycopg.connect(master.server.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(RDS_IAM_ROLE)))
    assert granted == (True,)


def test_the_schema_function_refuses_other_events(schema_lambda):
    expected = f"only applies the schema: send {{'{APPLY_SCHEMA_EVENT_KEY}'"
    with pytest.raises(ValueError, match=expected):
        schema_lambda({"requestContext": {"elb": {}}, "path": "/api/cart"}, LambdaContext())
