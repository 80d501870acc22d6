"""The cell's pure helpers: the web tier's boot script, the ALB port, and the per-region ARN of a replicated secret."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from components.cell.alb import HTTP_PORT, alb_port
from components.cell.web_tier import CAPACITY_WAIT_MINUTES, HEALTH_CHECK_GRACE_SECONDS, user_data
from components.cell_network import HTTPS_PORT, WEB_PORT
from components.origin_secret import arn_in_region

KEY = "web-renderer/" + "ab" * 32 + ".zip"
# EC2 User Guide, "Run commands when you launch an EC2 instance with user data input": user data
# is limited to 16 KB, in raw form, before it is base64-encoded.
USER_DATA_LIMIT_BYTES = 16 * 1024
# The two shapes of the default server in a Red Hat family nginx.conf (/etc/nginx/nginx.conf as
# packaged): older files mark it default_server, newer ones do not. Which one AL2023's nginx
# package ships was not confirmed from documentation here: the script handles both.
DISTRIBUTION_SERVERS = (
    "        listen       80 default_server;\n        listen       [::]:80 default_server;\n",
    "        listen       80;\n        listen       [::]:80;\n",
)


def _script() -> str:
    return user_data("assets-bucket", "eu-west-1", "shop3d-catalog", "ap-south-1", KEY)


def _sourced(script: str, *commands: str, cwd: Path | None = None, root: Path | None = None) -> str:
    """Output of the script's functions, sourced with the production defaults (main() not run)
    or, with `root`, rooted there."""
    done = subprocess.run(
        ["bash", "-c", f'source /dev/stdin <<< "$1"; {"; ".join(commands)}', "bash", script],
        text=True,
        capture_output=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"} | ({"SHOP3D_BOOT_ROOT": str(root)} if root else {}),
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_user_data_is_a_valid_script_with_its_values_filled_in() -> None:
    script = _script()
    assert 'STOREFRONT_URI="s3://assets-bucket/storefront/"' in script
    assert f'RENDERER_OBJECT="s3://assets-bucket/{KEY}"' in script
    assert 'REGION="eu-west-1"' in script
    assert "__" not in script.replace("__pycache__", "")
    checked = subprocess.run(
        ["bash", "-n"], input=script, text=True, capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_user_data_stays_under_the_launch_templates_16_kb() -> None:
    assert len(_script().encode()) <= USER_DATA_LIMIT_BYTES


def test_the_renderer_unit_runs_hypercorn_on_loopback_with_its_regions_catalog() -> None:
    lines = _sourced(_script(), "pages_service_lines").splitlines()
    # The renderer reads its own region's catalog replica; nginx hands pages and /healthz to it.
    assert lines == [
        "WorkingDirectory=/srv/renderer",
        "Environment=AWS_REGION=ap-south-1",
        "Environment=AWS_DEFAULT_REGION=ap-south-1",
        "Environment=SHOP3D_CATALOG_TABLE=shop3d-catalog",
        "Environment=SHOP3D_ASSETS_BUCKET=assets-bucket",
        "Environment=SHOP3D_STOREFRONT_DIR=/srv/storefront",
        "ExecStart=/srv/renderer/.venv/bin/hypercorn --bind 127.0.0.1:8000 --workers 2"
        " 'handlers.pages.app:from_env()'",
    ]


def test_nginx_listens_on_443_over_tls_only_and_proxies_to_the_renderer_on_8000() -> None:
    block = _sourced(_script(), "server_block")
    # The target group's port and protocol (HTTPS on WEB_PORT), and nothing in plain HTTP.
    assert f"listen {WEB_PORT} ssl default_server;" in block
    assert [line.strip() for line in block.splitlines() if "listen" in line] == [
        f"listen {WEB_PORT} ssl default_server;"
    ]
    assert "ssl_certificate /etc/pki/shop3d/web.crt;" in block
    assert "ssl_certificate_key /etc/pki/shop3d/web.key;" in block
    # "If a target group is configured with the HTTPS protocol or uses HTTPS health checks, ...
    # the ELBSecurityPolicy-2016-08 security policy is used" unless a listener has a TLS 1.3
    # policy (Target groups for your Application Load Balancers, Routing configuration): that
    # policy tops out at TLS 1.2, so the instances must take it.
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in block
    assert "root /srv/storefront;" in block
    assert "proxy_pass http://127.0.0.1:8000;" in block
    assert "proxy_set_header Host $host;" in block


def test_the_certificate_is_made_once_with_a_root_only_key(tmp_path: Path) -> None:
    _sourced(_script(), "make_certificate", root=tmp_path)
    key, cert = tmp_path / "etc/pki/shop3d/web.key", tmp_path / "etc/pki/shop3d/web.crt"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(cert.stat().st_mode) == 0o644
    text = _sourced(_script(), f"openssl x509 -in {cert} -noout -text")
    assert "Subject: CN = shop3d-web.ap-south-1" in text
    assert "ASN1 OID: prime256v1" in text  # a P-256 key, which ELBSecurityPolicy-2016-08 takes
    first = cert.read_bytes()
    _sourced(_script(), "make_certificate", root=tmp_path)  # a reboot keeps it
    assert cert.read_bytes() == first


def test_the_timers_sync_script_carries_this_boots_values() -> None:
    sync = _sourced(_script(), "sync_script")
    assert 'REGION="eu-west-1"' in sync
    assert 'STOREFRONT_DIR="/srv/storefront"' in sync
    assert sync.rstrip().endswith("sync_storefront")


@pytest.mark.parametrize("server", DISTRIBUTION_SERVERS)
def test_the_distributions_default_server_moves_off_port_80(server: str, tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"http {{\n    server {{\n{server}        server_name  _;\n    }}\n}}\n")
    _sourced(_script(), "move_distribution_server nginx.conf", cwd=tmp_path)
    moved = conf.read_text()
    assert "80" not in moved.replace("8081", "")
    assert moved.count("8081;") == 2
    assert "default_server" not in moved


def test_main_installs_what_al2023_names_and_relies_on_its_aws_cli() -> None:
    script = _script()
    # Package names as AL2023 spells them: python3.11-3.11.x-*.amzn2023 and
    # python3.11-pip-22.3.1-*.amzn2023 (an AL2023 image's package pins,
    # github.com/leplusorg/docker-aws-cli pull 1025); nginx-*.amzn2023 builds exist
    # (nginx.org/packages/amzn/2023/); Red-DiscordBot's "Installing Red on Amazon Linux 2023"
    # installs python3.11 with dnf. openssl (the CLI that makes the certificate) is named as
    # Fedora names it: not confirmed from AL2023's package list here. The AWS CLI is not
    # installed: the AL2023 AMI carries v2.
    assert "dnf install -y nginx openssl python3.11 python3.11-pip\n" in script
    assert "SHOP3D_PYTHON:-python3.11}" in script
    assert "dnf install -y aws" not in script


def test_the_group_waits_longer_than_a_boot_waits_for_the_renderer_bundle() -> None:
    attempts, interval = map(
        int, _sourced(_script(), 'echo "$BUNDLE_ATTEMPTS $BUNDLE_INTERVAL"').split()
    )
    bundle_wait = attempts * interval
    assert bundle_wait == 600
    # The rest of a boot (packages, pip, nginx) and the grace period plus two health checks.
    assert bundle_wait + HEALTH_CHECK_GRACE_SECONDS + 5 * 60 <= CAPACITY_WAIT_MINUTES * 60


def test_alb_port_follows_the_domain() -> None:
    assert alb_port("shop.example.com") == HTTPS_PORT
    assert alb_port(None) == HTTP_PORT


def test_arn_in_region_swaps_only_the_region() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop3d-origin-AbCdEf"
    assert arn_in_region(arn, "ap-southeast-2") == (
        "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:shop3d-origin-AbCdEf"
    )
