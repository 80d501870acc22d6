"""Local servers answer real requests, resources match the schemas, nothing outlives a stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import boto3
import psycopg
import pytest
import redis

from handlers.shared import env
from handlers.shared.storage import UPLOADS_PREFIX
from handlers.shared.tables import ALL_TABLES, CATALOG
from local.resources import (
    TABLE_ENV_VARS,
    UPLOADS,
    AwsEndpoints,
    check_prefix,
    delete_bucket,
    delete_queue,
    delete_tables,
    ensure_queue,
    ensure_resources,
    ensure_tables,
)
from local.servers import (
    LOOPBACK,
    REPO_ROOT,
    DynamoDBLocal,
    MotoServer,
    PostgresServer,
    ProcessServer,
    RedisServer,
    ServerNotInstalledError,
    ServerStartError,
    require_program,
)

GONE_TIMEOUT_S = 10.0


# --- process helpers ----------------------------------------------------------------------


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name, or None if there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()


def _alive(pid: int) -> bool:
    """A process exists and is not a zombie (a zombie holds no port and runs no code)."""
    stat = _proc_stat(pid)
    return stat is not None and stat[0] not in {"Z", "X"}


def _group_members(pgid: int) -> list[int]:
    """Live processes in a process group (field 3 of stat after the name is the pgrp)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat is not None and stat[0] not in {"Z", "X"} and int(stat[2]) == pgid:
                members.append(int(entry.name))
    return members


def _wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + GONE_TIMEOUT_S
    while time.monotonic() < deadline:
        if not _alive(pid) and not _group_members(pid):
            return True
        time.sleep(0.05)
    return False


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((LOOPBACK, port)) == 0


# --- DynamoDB Local -----------------------------------------------------------------------


def test_dynamodb_local_puts_and_gets_an_item_through_the_standard_env(local_tables):
    # A client built from the environment alone, as a handler builds it.
    table = boto3.resource("dynamodb").Table(os.environ[env.CATALOG_TABLE])
    table.put_item(Item={"sku": "chair-1", "name": "Chair", "price_minor": 4999})
    item = table.get_item(Key={"sku": "chair-1"})["Item"]
    assert item == {"sku": "chair-1", "name": "Chair", "price_minor": 4999}
    assert local_tables[CATALOG.logical_name] == os.environ[env.CATALOG_TABLE]


def test_tables_follow_the_shared_schemas(aws_env, local_tables):
    client = aws_env.dynamodb_client()
    assert set(local_tables) == {schema.logical_name for schema in ALL_TABLES}
    for schema in ALL_TABLES:
        name = local_tables[schema.logical_name]
        assert os.environ[TABLE_ENV_VARS[schema.logical_name]] == name
        table = client.describe_table(TableName=name)["Table"]
        assert table["KeySchema"] == schema.key_schema()
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["StreamSpecification"] == {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if schema.ttl_attribute is None:
            assert ttl["TimeToLiveStatus"] == "DISABLED"
        else:
            assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": schema.ttl_attribute}


def test_creating_tables_again_keeps_them_and_their_items(aws_env, local_tables):
    client = aws_env.dynamodb_client()
    catalog = local_tables[CATALOG.logical_name]
    client.put_item(TableName=catalog, Item={"sku": {"S": "lamp-7"}})
    prefix = catalog.removesuffix(CATALOG.logical_name)
    assert ensure_tables(client, prefix) == local_tables
    assert client.get_item(TableName=catalog, Key={"sku": {"S": "lamp-7"}})["Item"]


# --- moto: S3 and SQS ---------------------------------------------------------------------


def test_buckets_are_versioned_and_named_in_the_env(aws_env, local_buckets):
    s3 = boto3.client("s3")  # from the environment, as a handler builds it
    bucket = os.environ[env.ASSETS_BUCKET]
    assert bucket == local_buckets["assets"]
    assert os.environ[env.UPLOADS_BUCKET] == local_buckets[UPLOADS]
    for body in (b"v1", b"v2"):
        s3.put_object(Bucket=bucket, Key="assets/sku/hash/lod0.glb", Body=body)
    assert s3.get_object(Bucket=bucket, Key="assets/sku/hash/lod0.glb")["Body"].read() == b"v2"
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert len(versions) == 2
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def _receive_all(sqs, queue_url: str) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return bodies
        for message in batch:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_an_upload_arrives_on_the_queue_as_an_s3_event(aws_env, local_buckets, upload_events):
    s3, sqs = aws_env.s3_client(), aws_env.sqs_client()
    uploads = local_buckets[UPLOADS]
    key = f"{UPLOADS_PREFIX}seller-1/chair-1/chair.glb"
    s3.put_object(Bucket=uploads, Key=key, Body=b"glTF")
    s3.put_object(Bucket=uploads, Key="elsewhere/chair.glb", Body=b"glTF")  # outside the prefix

    bodies = _receive_all(sqs, upload_events.url)
    assert bodies[0]["Event"] == "s3:TestEvent"  # sent once when the notification is set up
    records = [record for body in bodies[1:] for record in body["Records"]]
    # Event keys are URL-encoded (AWS: "+" for spaces; moto also encodes "/"): unquote_plus.
    assert [
        (r["eventName"], r["s3"]["bucket"]["name"], unquote_plus(r["s3"]["object"]["key"]))
        for r in records
    ] == [("ObjectCreated:Put", uploads, key)]
    redrive = sqs.get_queue_attributes(QueueUrl=upload_events.url, AttributeNames=["RedrivePolicy"])
    assert json.loads(redrive["Attributes"]["RedrivePolicy"]) == {
        "deadLetterTargetArn": upload_events.dead_letter_arn,
        "maxReceiveCount": 5,
    }


def test_a_message_received_too_often_moves_to_the_dead_letter_queue(aws_env):
    sqs = aws_env.sqs_client()
    queue = ensure_queue(sqs, f"dlq-check-{os.getpid()}-{time.monotonic_ns()}", max_receives=1)
    try:
        sqs.send_message(QueueUrl=queue.url, MessageBody="poison")
        first = sqs.receive_message(QueueUrl=queue.url, VisibilityTimeout=0)["Messages"]
        assert [m["Body"] for m in first] == ["poison"]
        assert "Messages" not in sqs.receive_message(QueueUrl=queue.url)  # second receive: moved
        dead = sqs.receive_message(QueueUrl=queue.dead_letter_url)["Messages"]
        assert [m["Body"] for m in dead] == ["poison"]
    finally:
        delete_queue(sqs, queue)


def test_ensure_resources_twice_keeps_state_and_sends_no_second_test_event(aws_env):
    prefix = f"again-{time.monotonic_ns() % 10**9}-"
    first = ensure_resources(aws_env, prefix)
    s3, sqs = aws_env.s3_client(), aws_env.sqs_client()
    try:
        s3.put_object(Bucket=first.buckets[UPLOADS], Key=f"{UPLOADS_PREFIX}s/k/a.glb", Body=b"x")
        second = ensure_resources(aws_env, prefix)
        assert second == first
        assert second.environment()[env.UPLOADS_BUCKET] == first.buckets[UPLOADS]
        bodies = _receive_all(sqs, first.upload_events.url)
        assert [body.get("Event") for body in bodies].count("s3:TestEvent") == 1
        assert len([body for body in bodies if "Records" in body]) == 1
    finally:
        delete_tables(aws_env.dynamodb_client(), first.tables.values())
        for bucket in first.buckets.values():
            delete_bucket(s3, bucket)
        delete_queue(sqs, first.upload_events)


def test_a_bad_prefix_is_refused_with_the_rule():
    with pytest.raises(ValueError, match="lowercase letters, digits and hyphens"):
        check_prefix("Shop_3D")


def test_aws_env_points_both_endpoints(aws_env: AwsEndpoints, moto_endpoint, dynamodb_endpoint):
    assert os.environ["AWS_ENDPOINT_URL"] == moto_endpoint == aws_env.moto
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"] == dynamodb_endpoint == aws_env.dynamodb
    assert os.environ["AWS_REGION"] == os.environ["AWS_DEFAULT_REGION"] == "us-east-1"


# --- PostgreSQL and Redis -----------------------------------------------------------------


def test_postgres_runs_sql_in_a_fresh_database(pg_database, postgres_url):
    assert pg_database != postgres_url
    with psycopg.connect(pg_database) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE stock (sku text PRIMARY KEY, qty int NOT NULL CHECK (qty >= 0))")
        conn.execute("INSERT INTO stock VALUES ('chair-1', 3)")
        assert conn.execute("SELECT qty FROM stock WHERE sku = 'chair-1'").fetchone() == (3,)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE stock SET qty = qty - 4")


def test_postgres_trusts_only_the_superuser_on_loopback(postgres_url):
    with psycopg.connect(postgres_url) as conn:
        rules = conn.execute(
            "SELECT type, user_name, address, auth_method FROM pg_hba_file_rules"
        ).fetchall()
        assert rules == [
            ("host", ["postgres"], "127.0.0.1", "trust"),
            ("host", ["all"], "127.0.0.1", "scram-sha-256"),
        ]
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        conn.execute("DROP ROLE IF EXISTS shop3d_hba_probe")
        conn.execute("CREATE ROLE shop3d_hba_probe LOGIN PASSWORD 'probe-password'")
    try:

        def as_probe(password: str) -> str:
            return psycopg.conninfo.make_conninfo(
                postgres_url, user="shop3d_hba_probe", password=password
            )

        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(as_probe("wrong")).close()
        with psycopg.connect(as_probe("probe-password")) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("shop3d_hba_probe",)
    finally:
        with psycopg.connect(postgres_url) as conn:
            conn.execute("DROP ROLE shop3d_hba_probe")


def test_a_bad_database_name_is_refused(postgres_server):
    with pytest.raises(ValueError, match="lowercase letters, digits and underscores"):
        postgres_server.create_database("x; DROP DATABASE postgres")


def test_redis_sets_and_gets(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.set("shop3d:test:key", "value", ex=60)
    assert client.get("shop3d:test:key") == b"value"
    assert client.config_get("save") == {"save": ""}  # no persistence in tests


# --- start failures, stops, kept state ------------------------------------------------------


def test_a_server_that_cannot_start_says_why_with_its_log():
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        server = RedisServer(port=taken.getsockname()[1])
        with pytest.raises(ServerStartError, match=r"(?s)exited with code.*Address already in use"):
            server.start()
        assert server.process is None


def _assert_stopped_cleanly(server: ProcessServer, pid: int | None) -> None:
    assert pid is not None and server.process is None
    assert _wait_gone(pid), f"left behind in its process group: {_group_members(pid)}"
    assert not _port_open(server.port)


def test_moto_stop_closes_its_port():
    with MotoServer() as server:
        assert _port_open(server.port)
    assert not _port_open(server.port)


_OWNER_SCRIPT = """
import time
from local.servers import RedisServer
server = RedisServer()
try:
    with server:
        print(server.pid, flush=True)
        time.sleep(60)
except KeyboardInterrupt:
    # The context manager has run: stop() reaped the server before this line.
    print("stopped" if server.process is None else "still running", flush=True)
"""


@pytest.mark.parametrize(
    ("signal_to_owner", "how", "owner_says"),
    [
        (signal.SIGINT, "Ctrl-C: the owner stops it", "stopped\n"),
        (signal.SIGKILL, "killed outright: the parent-death signal stops it", ""),
    ],
)
def test_servers_go_when_their_owner_is_interrupted_or_killed(signal_to_owner, how, owner_says):
    owner = subprocess.Popen(
        [sys.executable, "-c", _OWNER_SCRIPT], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        pid = int(owner.stdout.readline())
        assert _alive(pid)
        owner.send_signal(signal_to_owner)
        owner.wait(timeout=GONE_TIMEOUT_S)
        assert owner.stdout.read() == owner_says
        assert _wait_gone(pid), f"redis-server outlived its owner ({how})"
    finally:
        owner.kill()
        owner.wait()


@pytest.fixture
def shared_tmp_dir():
    """A temporary directory other OS users can traverse (pytest's tmp_path is private)."""
    with tempfile.TemporaryDirectory(prefix="shop3d-test-") as name:
        Path(name).chmod(0o755)
        yield Path(name)


def test_postgres_keeps_its_data_dir_and_stops_cleanly(shared_tmp_dir):
    data = shared_tmp_dir / "pg"
    with PostgresServer(data_dir=data) as server:
        with psycopg.connect(server.url()) as conn:
            conn.execute("CREATE TABLE kept (n int)")
            conn.execute("INSERT INTO kept VALUES (42)")
        # A client still connected at stop: its backend process must go as well.
        lingering = psycopg.connect(server.url())
        pid = server.pid
    _assert_stopped_cleanly(server, pid)
    lingering.close()
    assert (data / "PG_VERSION").exists()
    with PostgresServer(data_dir=data) as server, psycopg.connect(server.url()) as conn:
        assert conn.execute("SELECT n FROM kept").fetchone() == (42,)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the data dir to another user")
def test_postgres_says_when_its_user_cannot_reach_the_data_dir(tmp_path):
    # pytest's tmp_path is private to root: the postgres user cannot traverse it.
    with pytest.raises(ServerStartError, match="every parent directory must be traversable"):
        PostgresServer(data_dir=tmp_path / "pg").start()


def test_dynamodb_local_keeps_its_data_dir_and_stops_cleanly(tmp_path):
    for run in range(2):
        with DynamoDBLocal(data_dir=tmp_path) as server:
            endpoints = AwsEndpoints(moto="http://unused.invalid", dynamodb=server.endpoint)
            client = endpoints.dynamodb_client()
            table = ensure_tables(client, "kept-", [CATALOG])[CATALOG.logical_name]
            key = {"sku": {"S": "kept-1"}}
            if run == 0:
                client.put_item(TableName=table, Item=key)
            else:
                assert client.get_item(TableName=table, Key=key)["Item"] == key
            pid = server.pid
        _assert_stopped_cleanly(server, pid)


def test_redis_keeps_its_data_dir_and_log_and_stops_cleanly(tmp_path):
    for run in range(2):
        with RedisServer(data_dir=tmp_path / "data", log_file=tmp_path / "redis.log") as server:
            client = redis.Redis.from_url(server.endpoint)
            if run == 0:
                client.set("kept", "yes")
            else:
                assert client.get("kept") == b"yes"
            pid = server.pid
        _assert_stopped_cleanly(server, pid)
    # The kept log outlives the runs: both start-ups are in it.
    assert (tmp_path / "redis.log").read_text().count("Ready to accept connections") == 2


def test_root_only_tools_are_found_with_a_minimal_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """runuser lives in /usr/sbin, which .ci/run's PATH (and a user's default one) leaves out."""
    monkeypatch.setenv("PATH", "/usr/local/bin:/usr/bin:/bin")
    assert require_program("runuser") in {"/usr/sbin/runuser", "/sbin/runuser"}
    with pytest.raises(ServerNotInstalledError, match="`no-such-tool` is not on PATH"):
        require_program("no-such-tool")
