"""The Redis AUTH token from Secrets Manager (moto's server), against a real redis-server that
requires it: after the token is changed, a new connection reads the secret again once and
authenticates; a token not yet in the secret is not retried."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import ClassVar

import boto3
import pytest
import redis

from handlers.cart.settings import Settings
from handlers.cart.wiring import Services
from handlers.shared import env
from local.servers import LOOPBACK, PROBE_TIMEOUT_S, RedisServer


class AuthRedis(RedisServer):
    """redis-server requiring a password, as ElastiCache requires the AUTH token."""

    FIRST_TOKEN: ClassVar[str] = "first-token"

    def command(self) -> list[str]:
        return [*super().command(), "--requirepass", self.FIRST_TOKEN]

    def is_ready(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=PROBE_TIMEOUT_S) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(64).startswith(b"-NOAUTH")  # up, and asking for the token
        except OSError:
            return False


@pytest.fixture(scope="module")
def auth_redis() -> Iterator[AuthRedis]:
    with AuthRedis() as server:
        yield server


def test_a_changed_redis_token_is_read_again_once(auth_redis, aws_env):
    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name="redis-auth-rotation", SecretString=AuthRedis.FIRST_TOKEN)[
        "ARN"
    ]
    services = Services.from_settings(
        Settings.from_env(
            {
                env.CATALOG_TABLE: "catalog",
                env.CARTS_TABLE: "carts",
                env.IDEMPOTENCY_TABLE: "idem",
                env.CART_COOKIE_KEY: "k" * 32,
                "AWS_REGION": aws_env.region,
                env.REDIS_URL: auth_redis.endpoint,
                env.REDIS_AUTH_SECRET_ARN: arn,
            }
        )
    )
    reads: list[str] = []
    services._secrets.meta.events.register(
        "after-call.secrets-manager.GetSecretValue", lambda **_: reads.append("read")
    )
    cache = services.redis
    assert cache is not None
    cache.set("shop3d:test:token", "kept")
    assert len(reads) == 1

    def change_token(token: str, *, in_secret: bool) -> None:
        cache.config_set("requirepass", token)  # this connection stays signed in
        if in_secret:
            secrets.put_secret_value(SecretId=arn, SecretString=token)
        cache.connection_pool.disconnect()  # the next command needs a new connection

    change_token("second-token", in_secret=True)
    assert cache.get("shop3d:test:token") == b"kept"
    assert len(reads) == 2

    change_token("third-token", in_secret=False)  # changed, the secret not updated yet
    with pytest.raises(redis.AuthenticationError):
        cache.get("shop3d:test:token")
    assert len(reads) == 3  # one re-read, no retry with the same token
    secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
