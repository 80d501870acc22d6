"""Where PostgreSQL credentials come from, asked once per new connection.

- `FixedUrl`: a URL from the environment (locally).
- `IamAuthToken`: the cart in AWS. Each connection gets a new IAM auth token (a SigV4-presigned
  `connect` request for the database user, valid 15 minutes, signed offline with the function's
  role credentials): there is no password to go stale, so rotating the master secret never
  affects the cart.
- `SecretCredentials`: a Secrets Manager secret (the master user, for the schema step). It is
  read once and kept; after an authentication failure the secret is read again, and the
  connection retried once if it changed (a rotation between the read and the connect).

`CachedSecret` is that read-once, re-read-on-refusal value; the Redis AUTH token uses it too
(handlers.cart.stores.cache_auth).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from handlers.cart.settings import (
    DatabaseAccess,
    DatabaseIam,
    DatabaseSecret,
    DatabaseUrl,
    database_url_from_secret,
    libpq_url,
    parse_json_secret,
    read_secret,
)

ClientFactory = Callable[[], Any]  # makes the boto3 client, only if this source needs it


class CredentialSource(Protocol):
    def conninfo(self) -> str:
        """The libpq URL for the next connection."""
        ...

    def refresh(self) -> bool:
        """After an authentication failure: re-read the credentials; True if they changed, so
        one retry can succeed."""
        ...


@dataclass(frozen=True)
class FixedUrl:
    url: str

    def conninfo(self) -> str:
        return self.url

    def refresh(self) -> bool:
        return False  # nothing to re-read


@dataclass(frozen=True)
class IamAuthToken:
    rds: Any  # a boto3 RDS client: generate_db_auth_token signs locally, no API call
    access: DatabaseIam

    def conninfo(self) -> str:
        access = self.access
        token: str = self.rds.generate_db_auth_token(
            DBHostname=access.host, Port=access.port, DBUsername=access.user, Region=access.region
        )
        return libpq_url(access.user, token, access.host, access.port, access.dbname)

    def refresh(self) -> bool:
        return False  # every connection already signs a fresh token


class CachedSecret:
    """A Secrets Manager secret's value: read on first use and kept (one read per container),
    read again by `refresh` after the credential it holds was refused."""

    def __init__(self, secrets: Any, arn: str) -> None:
        self._secrets = secrets
        self.arn = arn
        self._value: str | None = None
        self._lock = threading.Lock()

    def value(self) -> str:
        with self._lock:
            if self._value is None:
                self._value = read_secret(self._secrets, self.arn)
            return self._value

    def refresh(self) -> bool:
        """Read the secret again; True if it changed (a retry can succeed)."""
        with self._lock:
            stale, self._value = self._value, read_secret(self._secrets, self.arn)
            return self._value != stale


class SecretCredentials:
    def __init__(self, secrets: Any, access: DatabaseSecret) -> None:
        self._secret = CachedSecret(secrets, access.arn)
        self._host = access.host

    def conninfo(self) -> str:
        document = parse_json_secret(self._secret.value(), self._secret.arn)
        return database_url_from_secret(document, self._host)

    def refresh(self) -> bool:
        return self._secret.refresh()


def credential_source(
    access: DatabaseAccess, rds: ClientFactory, secrets: ClientFactory
) -> CredentialSource:
    if isinstance(access, DatabaseUrl):
        return FixedUrl(access.url)
    if isinstance(access, DatabaseIam):
        return IamAuthToken(rds(), access)
    return SecretCredentials(secrets(), access)
