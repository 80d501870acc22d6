"""The cell's pure helpers: the web tier's boot script, the ALB port, and the per-region ARN of a replicated secret."""

from __future__ import annotations

import subprocess

from components.cell.alb import HTTP_PORT, alb_port
from components.cell.web_tier import user_data
from components.cell_network import HTTPS_PORT
from components.origin_secret import arn_in_region


def test_user_data_is_a_valid_script_with_its_values_filled_in() -> None:
    key = "web-renderer/" + "ab" * 32 + ".zip"
    script = user_data("assets-bucket", "eu-west-1", "shop3d-catalog", "ap-south-1", key)
    assert 'STOREFRONT_URI="s3://assets-bucket/storefront/"' in script
    assert f'RENDERER_OBJECT="s3://assets-bucket/{key}"' in script
    assert "python3.11 -m zipfile -e /tmp/renderer.zip /srv/renderer" in script
    assert "pip install --require-hashes -r /srv/renderer/requirements.txt" in script
    assert 'REGION="eu-west-1"' in script
    # The renderer reads its own region's catalog replica; nginx hands pages and /healthz to it.
    assert "Environment=AWS_REGION=ap-south-1" in script
    assert "Environment=SHOP3D_CATALOG_TABLE=shop3d-catalog" in script
    assert "'handlers.pages.app:from_env()'" in script
    assert "proxy_pass http://127.0.0.1:8000;" in script
    assert "__" not in script.replace("__pycache__", "")
    checked = subprocess.run(
        ["bash", "-n"], input=script, text=True, capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_alb_port_follows_the_domain() -> None:
    assert alb_port("shop.example.com") == HTTPS_PORT
    assert alb_port(None) == HTTP_PORT


def test_arn_in_region_swaps_only_the_region() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop3d-origin-AbCdEf"
    assert arn_in_region(arn, "ap-southeast-2") == (
        "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:shop3d-origin-AbCdEf"
    )
