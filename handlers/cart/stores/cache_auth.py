"""Redis AUTH from a Secrets Manager secret, read again once if Redis refuses it.

The token is read on the first connection and kept; a new connection that Redis refuses (the
token was changed since it was read) reads the secret again and, if it changed, authenticates
once more on the same socket. redis-py asks the credential provider on every new connection.
"""

from __future__ import annotations

from collections.abc import Callable

from redis.connection import AbstractConnection
from redis.credentials import CredentialProvider
from redis.exceptions import AuthenticationError

from handlers.cart.stores.credentials import CachedSecret


class SecretAuthToken(CredentialProvider):
    def __init__(self, secret: CachedSecret) -> None:
        self._secret = secret

    def get_credentials(self) -> tuple[str]:
        return (self._secret.value(),)


def reauthenticating(secret: CachedSecret) -> Callable[[AbstractConnection], None]:
    """A redis_connect_func: the normal handshake, repeated once after a refused token if
    re-reading the secret changed it."""

    def on_connect(connection: AbstractConnection) -> None:
        try:
            connection.on_connect()  # type: ignore[no-untyped-call]  # redis-py is untyped here
        except AuthenticationError:
            if not secret.refresh():
                raise
            connection.on_connect()  # type: ignore[no-untyped-call]  # redis-py is untyped here

    return on_connect
