"""The local platform end to end: `python -m local` on free ports in a temporary state dir,
the storefront in Debian's headless Chromium (tests/e2e/storefront_flow.mjs, playwright-core),
the order checked in PostgreSQL, then Ctrl-C, then a second run on the same state.

A one-product catalog (DamagedHelmet) keeps it short; screenshots and the browser's findings
go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest

from handlers.shared import posters
from local.catalog_file import DEFAULT_CATALOG
from local.servers import REPO_ROOT

T = TypeVar("T")
SKU = "HELMET-1"
ARTIFACTS = REPO_ROOT / "test-artifacts"
FLOW = Path(__file__).with_name("storefront_flow.mjs")
ACCOUNT_FLOW = Path(__file__).with_name("account_flow.mjs")
PAYMENT_FLOW = Path(__file__).with_name("payment_flow.mjs")
EXPIRY_TIMEOUT_S = 60.0  # the platform's order jobs tick every 10 s
MAIL_TIMEOUT_S = 60.0
START_TIMEOUT_S = 300.0  # servers, the JVM and the helmet's LODs on a busy 2-core machine
BROWSER_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 60.0
_URL = re.compile(r"shop3d is running at (http://\S+)")
_POSTGRES = re.compile(r"(postgresql://\S+)/postgres\b")
_MOTO = re.compile(r"starting moto\b.*?(http://127\.0\.0\.1:\d+)")


class Run:
    """One `python -m local` process and what it printed. A thread drains its output line by
    line (select() on a buffered text pipe misses lines already read into the buffer)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self._fresh: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._drain, name="platform-output", daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            self._fresh.put(line)
        self._fresh.put(None)  # the platform closed its output: it exited

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._fresh.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            found = _URL.search(line)
            if found:
                return found.group(1)
        self.stop()
        pytest.fail(f"the platform printed no URL within {START_TIMEOUT_S:.0f} s:\n{self.output}")

    def database_url(self) -> str:
        found = _POSTGRES.search(self.output)
        assert found, f"no PostgreSQL endpoint in the progress lines:\n{self.output}"
        return f"{found.group(1)}/shop3d"

    def moto_endpoint(self) -> str:
        found = _MOTO.search(self.output)
        assert found, f"no moto endpoint in the progress lines:\n{self.output}"
        return found.group(1)

    def stop(self) -> int:
        """Ctrl-C, as a user would; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=STOP_TIMEOUT_S)
        return self.process.returncode


@pytest.fixture(scope="module")
def state_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: its parents are 0700 and PostgreSQL runs as its own user.
    path = Path(tempfile.mkdtemp(prefix="shop3d-e2e-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def helmet_catalog(state_dir: Path) -> Path:
    """The committed catalog with only the helmet, its models dir made absolute."""
    catalog = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    catalog["models_dir"] = str((DEFAULT_CATALOG.parent / catalog["models_dir"]).resolve())
    catalog["products"] = [p for p in catalog["products"] if p["sku"] == SKU]
    path = state_dir.parent / f"{state_dir.name}-catalog.json"
    path.write_text(json.dumps(catalog), encoding="utf-8")
    return path


def start_platform(state_dir: Path, catalog: Path) -> Run:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local",
            "--port",
            "0",
            "--state-dir",
            str(state_dir),
            "--catalog",
            str(catalog),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    return Run(process)


def browse(url: str, flow: Path = FLOW, *extra: str) -> dict[str, object]:
    node = shutil.which("node")
    assert node is not None, "node is not on PATH (Node.js 20+ is required)"
    result = subprocess.run(
        [node, str(flow), url, SKU, str(ARTIFACTS), *extra],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, f"browser script failed:\n{result.stdout}\n{result.stderr}"
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.browser
def test_shopper_buys_the_helmet_and_state_survives_a_restart(
    state_dir: Path, helmet_catalog: Path
) -> None:
    first = start_platform(state_dir, helmet_catalog)
    try:
        url = first.wait_for_url()
        seen = browse(url)
        account = browse(url, ACCOUNT_FLOW)
    finally:
        code = first.stop()
    assert "failure" not in seen, seen.get("failure")
    assert_account_flow(account)
    assert code == 0, first.output
    assert "stopped" in first.output
    assert f"{SKU}: READY" in first.output  # published through uploads -> SQS -> handler

    # Preview first, high last, and a picture on the canvas.
    glbs = [str(path).rsplit("/", 1)[-1] for path in seen["glbRequests"]]  # type: ignore[attr-defined]
    assert glbs[0] == "preview.glb" and "high.glb" in glbs, glbs
    assert glbs.index("preview.glb") < glbs.index("high.glb")
    trace = seen["trace"]
    assert isinstance(trace, dict)
    assert trace["lodsRequested"][0] == "preview"
    assert trace["lodsShown"][-1] == "high"
    assert trace["firstFrameAt"] is not None
    pixels = seen["pixels"]
    assert isinstance(pixels, dict)
    assert pixels["covered"] > 0.05, pixels  # the helmet covers part of the view
    assert pixels["colours"] > 100, pixels  # textured and lit, not a flat silhouette
    assert seen["errors"] == [], seen["errors"]

    # Run again on the same state dir: the order the page showed is in PostgreSQL, with its
    # line, and the stock went down once.
    assert seen["orderStatus"] == "PENDING_PAYMENT"
    order_id = str(seen["orderId"])
    second = start_platform(state_dir, helmet_catalog)
    try:
        second_url = second.wait_for_url()
        with psycopg.connect(second.database_url(), autocommit=True) as conn:
            order = conn.execute(
                "SELECT status, total_minor, currency FROM orders WHERE order_id = %s",
                (order_id,),
            ).fetchone()
            lines = conn.execute(
                "SELECT sku, quantity FROM order_lines WHERE order_id = %s", (order_id,)
            ).fetchall()
            stock = conn.execute("SELECT on_hand FROM inventory WHERE sku = %s", (SKU,)).fetchone()
        # An http:// URL this test built from the platform's own output.
        with urllib.request.urlopen(f"{second_url}api/health", timeout=10) as answer:  # noqa: S310
            health = json.loads(answer.read())
    finally:
        assert second.stop() == 0, second.output
    assert order == ("PENDING_PAYMENT", 4999, "EUR")
    assert lines == [(SKU, 1)]
    assert stock == (23,)  # 25 in the catalog file, two sold (one per flow); not reset by the rerun
    # The second run reused the published assets: nothing was uploaded again.
    assert "0 uploaded, 1 kept" in second.output, second.output
    restored = re.search(r"restoring saved assets .*: (\d+) objects", second.output)
    # 3 LODs, the USDZ, the manifest; then every poster image and the manifest that lists them
    published = 5 + len(posters.sizes()) * len(posters.FORMATS) + 1
    assert restored and int(restored.group(1)) == published, second.output
    assert health["status"] == "ok"


def assert_account_flow(seen: dict[str, object]) -> None:
    """Sign up, confirm, sign in, my orders, sign out (account_flow.mjs) against the backend-for-
    frontend on moto's Cognito: the browser holds only an HttpOnly session id, never a token."""
    assert "failure" not in seen, seen.get("failure")
    assert seen["errors"] == [], seen["errors"]
    assert seen["accountEmail"] == seen["email"]
    assert seen["myOrders"] == [seen["guestOrderId"]]  # the guest's order, handed to the account
    assert seen["orderWhileSignedIn"] == seen["guestOrderId"]
    cookie = seen["sessionCookie"]
    assert isinstance(cookie, dict)
    assert cookie["httpOnly"] is True and cookie["secure"] is True and cookie["sameSite"] == "Lax"
    assert "shop3d_session" not in str(seen["scriptVisibleCookies"])  # HttpOnly: no script reads it
    assert "eyJ" not in json.dumps(seen["storage"])  # no JWT in localStorage or sessionStorage
    assert seen["sessionCookieAfterSignOut"] is None


def _until(condition: Callable[[], T], timeout_s: float, what: str) -> T:
    deadline = time.monotonic() + timeout_s
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout_s:.0f} s")
        time.sleep(0.5)
    return value


@pytest.mark.browser
def test_a_shopper_pays_on_the_payment_step_and_an_abandoned_order_expires_with_its_stock_back(
    state_dir: Path, helmet_catalog: Path
) -> None:
    """The payment step in Chromium with localstripe's Stripe.js: the test card pays, PAID shows,
    the confirmation e-mail is in moto's SES; a declined card is explained, the shopper leaves,
    the platform's order jobs timer expires the order, its stock comes back, the expiry notice
    is sent. Both e-mails went bus -> queue -> the notifications handler (local.order_mail)."""
    from local.order_mail import sent_mail

    stamp = int(time.time())
    paid_email, abandoned_email = f"paid-{stamp}@example.com", f"gone-{stamp}@example.com"
    run = start_platform(state_dir, helmet_catalog)
    try:
        url = run.wait_for_url()
        database, moto = run.database_url(), run.moto_endpoint()

        def stock() -> int:
            with psycopg.connect(database, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT on_hand FROM inventory WHERE sku = %s", (SKU,)
                ).fetchone()
            assert row is not None
            return int(row[0])

        def status(order_id: str) -> str:
            with psycopg.connect(database, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT status FROM orders WHERE order_id = %s", (order_id,)
                ).fetchone()
            return "" if row is None else str(row[0])

        def mail_to(address: str) -> list[dict[str, object]]:
            return [m for m in sent_mail(moto) if m["destinations"]["ToAddresses"] == [address]]

        before = stock()
        seen = browse(url, PAYMENT_FLOW, paid_email, abandoned_email)
        assert "failure" not in seen, seen.get("failure")
        assert seen["errors"] == [], seen["errors"]
        paid, abandoned = str(seen["paidOrderId"]), str(seen["abandonedOrderId"])
        # Stripe.js came from localstripe's stand-in, the URL the API named.
        scripts = seen["stripeJs"]
        assert isinstance(scripts, list) and scripts
        assert all("/js.stripe.com/v3/" in str(u) for u in scripts), scripts
        assert seen["paidStatusOnPaymentStep"] == "PENDING_PAYMENT"
        assert (seen["paidStatus"], seen["paidHeading"]) == (
            "PAID",
            "Thank you: your order is paid",
        )
        assert status(paid) == "PAID"
        assert "declined" in str(seen["declinedMessage"]), seen["declinedMessage"]
        assert seen["urlAfterDecline"] == f"/checkout/{abandoned}"
        assert status(abandoned) == "PENDING_PAYMENT"
        assert stock() == before - 2  # one sold, one reserved
        confirmation = _until(
            lambda: mail_to(paid_email), MAIL_TIMEOUT_S, "the confirmation e-mail"
        )
        assert [m["subject"] for m in confirmation] == [f"shop3d: order {paid} confirmed"]
        assert "€49.99" in str(confirmation[0]["body"])

        # The reservation runs out (its deadline moved to the past, as 30 minutes would); the
        # platform's order jobs timer, not this test, expires it.
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(
                "UPDATE orders SET expires_at = now() - interval '1 second' WHERE order_id = %s",
                (abandoned,),
            )
        _until(lambda: status(abandoned) == "EXPIRED", EXPIRY_TIMEOUT_S, "the expiry")
        assert stock() == before - 1  # the abandoned order's unit is back
        notice = _until(lambda: mail_to(abandoned_email), MAIL_TIMEOUT_S, "the expiry notice")
        assert [m["subject"] for m in notice] == [f"shop3d: order {abandoned} expired"]
        assert mail_to(paid_email) == confirmation  # sent once
    finally:
        assert run.stop() == 0, run.output
