"""A seller in Chromium: signs in (the account API's sign-in against moto's Cognito, which
sets the session cookie), creates a product, uploads a model with the
progress bar, sees it READY and previews a LOD. Real pieces throughout: the built storefront on
the local site server, the cart handler, moto's S3 and SQS (the bucket's notification), the
asset handler fed by the upload event pump, DynamoDB Local and PostgreSQL."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from starlette.concurrency import run_in_threadpool

from handlers.asset import handler as asset_handler
from handlers.cart.api import lambda_entry
from handlers.pages.app import pages_from_env
from handlers.shared import env
from handlers.shared.groups import SELLER_GROUP
from local.lambda_runtime import LambdaContext
from local.resources import delete_queue, ensure_queue, notify_queue_on_uploads
from local.servers import LOOPBACK, REPO_ROOT, free_port
from local.site_app import Site
from local.site_server import SiteServer
from local.storefront_build import build
from local.upload_events import UploadEventPump
from tests.asset.gltf_factory import GltfParts
from tests.conftest import unique_prefix
from tests.sellers.staff_pool import PASSWORD

FLOW = Path(__file__).with_name("admin_flow.mjs")
ARTIFACTS = REPO_ROOT / "test-artifacts"
BROWSER_TIMEOUT_S = 300.0


@pytest.fixture
def site(admin_module: Any, uploads_bucket: str, cart_env: Any) -> Iterator[str]:
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    assets_bucket = uploads_bucket.replace("uploads", "assets")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(env.ASSETS_BUCKET, assets_bucket)
        dist = build()
        patch.setenv(env.STOREFRONT_DIR, str(dist))
        asset_handler.use_wiring(asset_handler.AssetWiring.from_env())
        queue = ensure_queue(sqs, f"{unique_prefix('q')}uploads")
        notify_queue_on_uploads(s3, sqs, uploads_bucket, queue)
        pump = UploadEventPump(sqs, queue, asset_handler.lambda_handler, lambda: None, s3)
        pump.start()
        server = SiteServer(LOOPBACK, free_port())
        # The page renderer serves the storefront's path routes (/admin/new), as on the platform.
        pages = pages_from_env()
        server.serve(Site(dist, s3, assets_bucket, _in_process_cart(), None, pages))
        try:
            yield server.url
        finally:
            server.stop()
            pump.stop()
            delete_queue(sqs, queue)


def _in_process_cart() -> Any:
    """The cart handler of this test process (bound to this module's world), one request at a
    time as one Lambda container serves them, off the event loop."""
    one_container = threading.Lock()

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        with one_container:
            reply: dict[str, Any] = lambda_entry.lambda_handler(event, LambdaContext())
            return reply

    async def cart(event: dict[str, Any]) -> dict[str, Any]:
        return await run_in_threadpool(invoke, event)

    return cart


def test_a_seller_creates_a_product_uploads_a_model_and_sees_it_ready(site, issuer, tmp_path):
    node = shutil.which("node")
    assert node is not None, "node is not on PATH (Node.js 20+ is required)"
    email, seller_sub, _ = issuer.user_with_email(SELLER_GROUP)
    sku = f"BOX-{uuid.uuid4().hex[:8]}"
    model = tmp_path / "box.glb"
    model.write_bytes(GltfParts(16).glb())
    result = subprocess.run(
        [node, str(FLOW), site, email, PASSWORD, sku, str(model), str(ARTIFACTS)],
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_S,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert "failure" not in seen, json.dumps(seen, indent=1)
    assert seen["signIn"] == 200
    assert seen["errors"] == []
    assert seen["version"] == "1"
    size = model.stat().st_size
    assert seen["progress"][-1] == [size, size]  # the bar ends full, at the file's size
    assert seen["words"].startswith("Uploaded")
    assert seen["asset"]["status"] == "READY", seen["asset"]
    assert seen["lods"] == ["preview", "standard", "high"]
    assert seen["preview"]["shown"] == "preview"
    assert seen["listed"] == "Model ready"
    key = f"uploads/{seller_sub}/{sku}/box.glb"
    assert boto3.client("s3").head_object(Bucket=_uploads(), Key=key)["ContentLength"] == size


def _uploads() -> str:
    import os

    return os.environ[env.UPLOADS_BUCKET]
