"""Real local servers for the tests: started once per run, and only when a test asks for one.

Session fixtures: dynamodb_endpoint, moto_endpoint, redis_url, localstripe, postgres_url (and
postgres_server, for more databases). Function fixtures: aws_env, local_tables, local_buckets, upload_events,
pg_database: each gives a test its own uniquely named resources and removes them afterwards;
no_credentials: an environment where boto3 finds no AWS credentials.
Handlers are handed their collaborators (`use_services`, `use_wiring`), built from the env these
fixtures set: nothing is built at import, so no test reloads a module.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from local.resources import (
    BUCKET_ENV_VARS,
    TABLE_ENV_VARS,
    UPLOAD_EVENTS_QUEUE,
    UPLOADS,
    AwsEndpoints,
    Queue,
    delete_bucket,
    delete_queue,
    delete_tables,
    ensure_buckets,
    ensure_queue,
    ensure_tables,
    notify_queue_on_uploads,
)
from local.servers import DynamoDBLocal, LocalStripe, MotoServer, PostgresServer, RedisServer
from tests.programs import ProgramFactory, memoized_runs

# Variables that would send boto3 to a real profile or session instead of the local servers.
_AWS_VARIABLES_TO_CLEAR = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
RUN_DATABASE = "shop3d_test"


def unique_prefix(kind: str) -> str:
    """A resource name prefix no other test uses: `<kind><10 hex digits>-`."""
    return f"{kind}{uuid.uuid4().hex[:10]}-"


# --- session servers ------------------------------------------------------------------


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    with DynamoDBLocal() as server:
        yield server.endpoint


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    with MotoServer() as server:
        yield server.endpoint


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with RedisServer() as server:
        yield server.endpoint


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    with LocalStripe() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """An empty database created for the run (tests wanting their own use pg_database)."""
    return postgres_server.create_database(RUN_DATABASE)


# --- per-test resources ---------------------------------------------------------------


@pytest.fixture
def aws_env(
    monkeypatch: pytest.MonkeyPatch, moto_endpoint: str, dynamodb_endpoint: str
) -> AwsEndpoints:
    """AWS_* variables pointing boto3 at moto (S3, SQS) and DynamoDB Local, dummy keys."""
    endpoints = AwsEndpoints(moto=moto_endpoint, dynamodb=dynamodb_endpoint)
    for name in _AWS_VARIABLES_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    for name, value in endpoints.environment().items():
        monkeypatch.setenv(name, value)
    return endpoints


@pytest.fixture
def local_tables(
    monkeypatch: pytest.MonkeyPatch, aws_env: AwsEndpoints
) -> Iterator[dict[str, str]]:
    """Every table of ALL_TABLES under a fresh prefix; SHOP3D_*_TABLE set; logical -> name."""
    client = aws_env.dynamodb_client()
    names = ensure_tables(client, unique_prefix("t"))
    for logical, name in names.items():
        monkeypatch.setenv(TABLE_ENV_VARS[logical], name)
    yield names
    delete_tables(client, names.values())


@pytest.fixture
def local_buckets(
    monkeypatch: pytest.MonkeyPatch, aws_env: AwsEndpoints
) -> Iterator[dict[str, str]]:
    """Versioned uploads and assets buckets; SHOP3D_*_BUCKET set; {"uploads", "assets"} -> name."""
    client = aws_env.s3_client()
    names = ensure_buckets(client, unique_prefix("b"), aws_env.region)
    for logical, name in names.items():
        monkeypatch.setenv(BUCKET_ENV_VARS[logical], name)
    yield names
    for name in names.values():
        delete_bucket(client, name)


@pytest.fixture
def upload_events(aws_env: AwsEndpoints, local_buckets: dict[str, str]) -> Iterator[Queue]:
    """A queue (with its DLQ) that receives the S3 events of objects created under uploads/.

    As in AWS, S3 first sends one s3:TestEvent message when the notification is set up.
    """
    s3, sqs = aws_env.s3_client(), aws_env.sqs_client()
    queue = ensure_queue(sqs, f"{unique_prefix('q')}{UPLOAD_EVENTS_QUEUE}")
    notify_queue_on_uploads(s3, sqs, local_buckets[UPLOADS], queue)
    yield queue
    delete_queue(sqs, queue)


@pytest.fixture
def pg_database(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh empty database for this test only; its URL."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def program() -> ProgramFactory:
    """The program under mocks, memoized per (stack, overrides) for the whole session."""
    return memoized_runs()


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An environment with no credentials anywhere boto3 looks (nor the instance metadata)."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # boto3.client() uses one default session, which keeps the credentials it first found.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
