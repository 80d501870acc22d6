"""The storefront over the page renderer in Chromium: it takes over from the server's HTML
without fetching the product again, and the page works without JavaScript.

The origin is the local platform's own site app (local.site_app.Site) with the renderer mounted,
the built storefront, and the assets bucket in moto's S3; the cart API is a recorder (these
tests are about what the browser asks for, not what the cart answers)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from PIL import Image

from handlers.cart.api.problems import Problem
from handlers.pages.app import pages_from_env
from handlers.shared import env
from handlers.shared.catalog import listing_fields, now_iso
from handlers.shared.posters import PosterImage, posters_block
from local.resources import AwsEndpoints
from local.servers import LOOPBACK
from local.site_app import Site
from local.site_server import SiteServer
from local.storefront_build import STOREFRONT

FLOW = Path(__file__).with_name("takeover_flow.mjs")
KEY = "assets/CHAIR-1/abc123/"


def _poster(size: int) -> PosterImage:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (180, 120, 60)).save(out, "WEBP")
    data = out.getvalue()
    return PosterImage("thumbnail", size, size, "webp", hashlib.sha256(data).hexdigest(), data)


def test_the_storefront_takes_over_without_refetching_and_the_page_works_without_js(
    monkeypatch: pytest.MonkeyPatch,
    aws_env: AwsEndpoints,
    local_tables: dict[str, str],
    local_buckets: dict[str, str],
) -> None:
    table = boto3.resource("dynamodb").Table(local_tables["catalog"])
    table.put_item(
        Item={
            "sku": "CHAIR-1",
            "name": "Lounge chair",
            "description": "Deep seat.",
            "price_minor": 12999,
            "currency": "EUR",
            "asset_status": "READY",
            "manifest_key": KEY + "manifest.json",
            **listing_fields("active", None, now_iso()),
        }
    )
    s3, bucket = aws_env.s3_client(), local_buckets["assets"]
    poster = _poster(480)
    manifest = {  # posters only: the viewer reports the missing LODs, the poster stays
        "lods": [],
        "posters": posters_block([poster], "viewer"),
    }
    s3.put_object(Bucket=bucket, Key=KEY + "manifest.json", Body=json.dumps(manifest).encode())
    s3.put_object(Bucket=bucket, Key=KEY + poster.url, Body=poster.data, ContentType="image/webp")
    monkeypatch.setenv(env.STOREFRONT_DIR, str(STOREFRONT / "dist"))
    api_calls: list[str] = []

    async def cart(event: dict[str, Any]) -> dict[str, Any]:
        api_calls.append(f"{event['httpMethod']} {event['path']}")
        body = Problem(503, "unavailable", "no cart in this test").json()
        return {
            "statusCode": 503,
            "headers": {"Content-Type": "application/problem+json"},
            "body": body,
        }

    server = SiteServer(LOOPBACK, 0)
    server.serve(Site(STOREFRONT / "dist", s3, bucket, cart, None, pages_from_env()))
    try:
        node = shutil.which("node")
        assert node is not None
        done = subprocess.run(
            [node, str(FLOW), server.url.rstrip("/"), "CHAIR-1"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=Path(__file__).parents[2],
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["errors"] == []
    with_js = seen["withJs"]
    assert with_js["heading"] == "Lounge chair"
    api_requests = [r for r in with_js["requests"] if " /api/" in r]
    assert api_requests == ["POST /api/cart/items"], "the product must not be fetched again"
    assert "no cart in this test" in with_js["feedback"]  # the button was wired
    assert seen["afterLink"]["path"] == "/"
    assert "GET /api/products" in seen["afterLink"]["requests"]  # navigated in the page
    no_js = seen["noJs"]
    assert (no_js["heading"], no_js["price"], no_js["availability"]) == (
        "Lounge chair",
        "€129.99",  # as the storefront writes it (tests/fixtures/formats.json)
        "In stock",
    )
    # Decoded (naturalWidth is density-corrected by srcset: 480w drawn in a 36rem box reads 576).
    assert no_js["posterWidth"] > 0 and no_js["posterShown"] is True
    assert no_js["cards"] == ["CHAIR-1"]
    assert api_calls[:1] == ["POST /api/cart/items"]
