"""The local platform's state directory: what is kept between runs, and where.

<state dir>/dynamodb/        DynamoDB Local's database files (-dbPath)
<state dir>/postgres/        the PostgreSQL cluster (initdb once, then reused)
<state dir>/redis/           Redis's append-only file (it only holds the catalog read cache)
<state dir>/assets-bucket/   a copy of the published assets: moto keeps S3 in memory only,
                             so this copy is put back into the assets bucket at start
<state dir>/logs/            the servers' logs, kept for reading after a failure
<state dir>/cart-cookie.key  the guest cookie's HMAC key, so guest carts survive a restart
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from local.servers import REPO_ROOT

DEFAULT_STATE_DIR: Final = REPO_ROOT / ".local" / "platform"
# PostgreSQL runs as its own OS user when we are root: every directory on the way must be
# traversable by it, so the state dirs are world-traversable (their files are not secrets,
# except the cookie key, which is 0600).
_DIR_MODE: Final = 0o755
_COOKIE_KEY_BYTES: Final = 48


@dataclass(frozen=True)
class StateDir:
    root: Path

    @property
    def dynamodb(self) -> Path:
        return self._dir("dynamodb")

    @property
    def postgres(self) -> Path:
        # Not created here: PostgresServer creates it and hands it to its OS user.
        return self.root / "postgres"

    @property
    def redis(self) -> Path:
        return self._dir("redis")

    @property
    def assets_copy(self) -> Path:
        return self._dir("assets-bucket")

    @property
    def logs(self) -> Path:
        return self._dir("logs")

    def prepare(self) -> StateDir:
        """Create the root (and its missing parents) traversable by the server users."""
        self.root.mkdir(parents=True, exist_ok=True)
        parents = self.root.resolve().parents if os.geteuid() == 0 else ()
        for parent in parents:
            mode = parent.stat().st_mode
            if mode & 0o001 == 0:
                raise PermissionError(
                    f"{parent} is not traversable by other users (mode {mode & 0o777:o}):"
                    " PostgreSQL runs as the 'postgres' user and must reach the state dir;"
                    " choose a state dir whose parents are world-traversable (e.g. mode 755)"
                )
        self.root.chmod(_DIR_MODE)
        return self

    def cookie_key(self) -> str:
        """The guest cookie key: made once (random), then read back on every run."""
        path = self.root / "cart-cookie.key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_urlsafe(_COOKIE_KEY_BYTES))
        return path.read_text(encoding="ascii").strip()

    def _dir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(mode=_DIR_MODE, exist_ok=True)
        return path
