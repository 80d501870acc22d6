"""The web tier's boot script run for real, all but its Amazon Linux 2023 half: the rendered user
data is sourced and its portable steps run against moto's S3 and DynamoDB Local with the AWS CLI
(v1 from PyPI: the same `s3 cp`/`s3 sync` as the AMI's v2), pip from PyPI with
--require-hashes, the script's own self-signed certificate, Debian's nginx with the script's TLS
server block and Hypercorn started by the script's own run_pages; requests go through nginx over
TLS without verifying the certificate, as the ALB does. Only BOOT_ROOT, the ports and the retry
pace differ from production. Still untested here: dnf, useradd, the systemd units and cloud-init
(main())."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3
import pytest

from components.cell.web_tier import user_data
from handlers.shared import storage
from handlers.shared.cache_control import IMMUTABLE  # the bucket's header for the same files
from lambda_packaging.renderer_bundle import bundle_key, renderer_bundle
from local.resources import AwsEndpoints
from local.servers import LOOPBACK, free_port, require_program
from local.storefront_build import STOREFRONT
from tests.pages.http import PageClient
from tests.pages.test_pages import _item, parsed

PRODUCT = ("BOOT-1", "Boot test armchair")
READY_TIMEOUT_S = 30.0
# Variables a test hands to the boot steps (the unit itself passes only its Environment= lines;
# on an instance the credentials come from the instance profile, the endpoints are AWS's).
_PASSED_AWS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
)


@dataclass(frozen=True)
class Boot:
    """The rendered user data and the environment its steps run in."""

    script: Path
    root: Path
    env: dict[str, str]

    def command(self, step: str) -> list[str]:
        # $0 stays "bash": the script's guard sees it sourced and leaves main() alone.
        return ["bash", "-c", 'source "$1"; "$2"', "bash", str(self.script), step]

    def run(self, step: str, **overrides: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(step),
            env={**self.env, **overrides},
            text=True,
            capture_output=True,
            check=False,
            timeout=240,
        )

    def output(self, step: str) -> str:
        done = self.run(step)
        assert done.returncode == 0, f"{step} failed:\n{done.stderr}"
        return done.stdout


def _python311() -> str:
    """The interpreter behind this venv (python3.11, as on the instance), by absolute path."""
    found = Path(sys.base_prefix, "bin", "python3.11")
    assert found.is_file(), f"no python3.11 at {found}"
    return str(found)


@pytest.fixture
def boot(
    tmp_path: Path,
    aws_env: AwsEndpoints,
    local_tables: dict[str, str],
    local_buckets: dict[str, str],
) -> Boot:
    bucket = local_buckets["assets"]
    key = bundle_key(renderer_bundle(), storage.WEB_RENDERER_PREFIX)
    script = tmp_path / "user-data.sh"
    script.write_text(
        user_data(bucket, aws_env.region, local_tables["catalog"], aws_env.region, key)
    )
    root = tmp_path / "root"
    aws = {name: value for name, value in aws_env.environment().items() if name in _PASSED_AWS}
    env = {
        # The AWS CLI is this venv's; everything else the steps call is the system's.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
        "HOME": str(tmp_path / "home"),
        "PIP_CACHE_DIR": str(tmp_path / "pip-cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "SHOP3D_BOOT_ROOT": str(root),
        "SHOP3D_PYTHON": _python311(),
        "SHOP3D_PAGES_PORT": str(free_port()),
        "SHOP3D_TLS_PORT": str(free_port()),
        **aws,
    }
    return Boot(script=script, root=root, env=env)


def _upload_storefront(bucket: str) -> list[Path]:
    s3 = boto3.client("s3")
    dist = STOREFRONT / "dist"
    files = sorted(p for p in dist.rglob("*") if p.is_file())
    for path in files:
        key = storage.STOREFRONT_PREFIX + path.relative_to(dist).as_posix()
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
    return [p.relative_to(dist) for p in files]


def _upload_bundle(bucket: str) -> None:
    zipped = renderer_bundle()
    key = bundle_key(zipped, storage.WEB_RENDERER_PREFIX)
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=zipped.data)


def _wait_for_line(stream: IO[str], needle: str) -> str:
    seen = ""
    for line in stream:
        seen += line
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} never printed; output:\n{seen}")


def _nginx_main_config(boot: Boot, server_block: Path) -> Path:
    """The distribution's part of nginx.conf (here a temp, non-root one) including ours."""
    run = boot.root / "nginx"
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run / temp).mkdir(parents=True, exist_ok=True)
    config = run / "nginx.conf"
    config.write_text(
        "daemon off;\nmaster_process off;\n"
        f"pid {run}/nginx.pid;\nerror_log stderr;\n"
        "events {}\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    access_log off;\n"
        + "".join(f"    {t}_temp_path {run / t};\n" for t in ("fastcgi", "uwsgi", "scgi"))
        + f"    client_body_temp_path {run / 'body'};\n"
        f"    proxy_temp_path {run / 'proxy'};\n"
        f"    include {server_block};\n"
        "}\n"
    )
    return config


def _like_the_alb(maximum: ssl.TLSVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED) -> ssl.SSLContext:
    """A client that encrypts but checks neither name nor chain: "The load balancer does not
    validate these certificates" (Target groups for your Application Load Balancers, Routing
    configuration)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.maximum_version = maximum
    return context


def _handshake(port: int, context: ssl.SSLContext) -> tuple[bytes, str | None, str]:
    """The certificate the server presented (DER), the TLS version and the cipher."""
    with (
        socket.create_connection((LOOPBACK, port), timeout=5) as raw,
        context.wrap_socket(raw) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
        cipher = tls.cipher()
        assert der is not None and cipher is not None
        return der, tls.version(), cipher[0]


def _get(url: str, context: ssl.SSLContext | None = None) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as reply:  # noqa: S310 - loopback
            status: int = reply.status
            return status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _wait_healthy(
    url: str, processes: list[subprocess.Popen[Any]], context: ssl.SSLContext
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if _get(url, context) == 200:
            return
        for process in processes:
            assert process.poll() is None, f"{process.args!r} exited with {process.returncode}"
        time.sleep(0.2)
    raise AssertionError(f"{url} not healthy within {READY_TIMEOUT_S} s")


@contextmanager
def _started(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_renderer_bundle_is_fetched_once_it_appears_after_the_first_attempt(
    boot: Boot, local_buckets: dict[str, str]
) -> None:
    fetching = subprocess.Popen(
        boot.command("fetch_renderer"),
        env={**boot.env, "SHOP3D_BUNDLE_INTERVAL": "1", "SHOP3D_BUNDLE_ATTEMPTS": "30"},
        text=True,
        stderr=subprocess.PIPE,
    )
    assert fetching.stderr is not None
    try:
        missed = _wait_for_line(fetching.stderr, "404")  # the first `aws s3 cp` found nothing
        _upload_bundle(local_buckets["assets"])
        assert fetching.wait(timeout=60) == 0, missed + fetching.stderr.read()
    finally:
        fetching.kill()
        fetching.wait()
    assert (boot.root / "tmp" / "renderer.zip").read_bytes() == renderer_bundle().data


def test_a_bundle_that_never_appears_fails_the_boot_after_the_last_attempt(boot: Boot) -> None:
    done = boot.run("fetch_renderer", SHOP3D_BUNDLE_INTERVAL="0", SHOP3D_BUNDLE_ATTEMPTS="2")
    assert done.returncode == 1
    assert "not found after 2 attempts" in done.stderr
    assert done.stderr.count("404") == 2


def test_the_booted_instance_serves_pages_health_and_static_files_through_nginx_over_tls(
    boot: Boot, local_tables: dict[str, str], local_buckets: dict[str, str]
) -> None:
    sku, name = PRODUCT
    boto3.resource("dynamodb").Table(local_tables["catalog"]).put_item(Item=_item(sku, name))
    bucket = local_buckets["assets"]
    _upload_bundle(bucket)
    site_files = _upload_storefront(bucket)

    boot.output("fetch_renderer")
    boot.output("install_renderer")  # real pip, PyPI, --require-hashes
    sync = boot.root / "sync-storefront"
    sync.write_text(boot.output("sync_script"))  # what the timer runs, run here once
    done = subprocess.run(["bash", str(sync)], env=boot.env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    boot.output("make_certificate")
    certificate = boot.root / "etc" / "pki" / "shop3d" / "web.crt"
    server_block = boot.root / "shop3d.conf"
    server_block.write_text(boot.output("server_block"))
    nginx = [require_program("nginx"), "-p", str(boot.root / "nginx"), "-e", "stderr", "-c"]

    with ExitStack() as stack:
        config = _nginx_main_config(boot, server_block)
        pages_env = {k: v for k, v in boot.env.items() if not k.startswith("PIP_")}
        pages = stack.enter_context(
            _started(boot.command("run_pages"), pages_env, boot.root / "pages.log")
        )
        proxy = stack.enter_context(
            _started([*nginx, str(config)], boot.env, boot.root / "nginx.log")
        )
        port = int(boot.env["SHOP3D_TLS_PORT"])
        base = f"https://{LOOPBACK}:{port}"
        alb = _like_the_alb()
        _wait_healthy(base + "/healthz", [pages, proxy], alb)
        client = PageClient(base, alb)

        # nginx presents the certificate this boot made, to a TLS 1.3 client and to a TLS 1.2
        # one offering only an ECDSA suite of ELBSecurityPolicy-2016-08 (the policy the ALB uses
        # to its targets when no listener has a TLS 1.3 policy: dev's HTTP listener).
        made = ssl.PEM_cert_to_DER_cert(certificate.read_text())
        assert _handshake(port, alb)[:2] == (made, "TLSv1.3")
        legacy = _like_the_alb(ssl.TLSVersion.TLSv1_2)
        legacy.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
        assert _handshake(port, legacy) == (made, "TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256")
        # Nothing in plain HTTP: nginx answers a cleartext request on its TLS port with 400.
        assert _get(f"http://{LOOPBACK}:{port}/healthz") == 400

        health = client.get("/healthz")
        assert (health.status_code, health.text) == (200, "ok\n")

        page = client.get(f"/products/{sku}")
        assert page.status_code == 200
        assert name in page.text
        product = parsed(page.text).script("application/ld+json")
        assert (product["@type"], product["name"], product["sku"]) == ("Product", name, sku)

        static = next(p for p in site_files if p.parts[0] == "static")
        bundle = client.get("/" + static.as_posix())
        assert bundle.status_code == 200
        assert bundle.content == (STOREFRONT / "dist" / static).read_bytes()
        assert bundle.headers.get_all("Cache-Control") == [IMMUTABLE]

        assert client.get("/products/NO-SUCH-SKU").status_code == 404
