"""A seller in Chromium: signs in (the account API's sign-in against moto's Cognito, which
sets the session cookie), creates a product, uploads a model with the
progress bar, sees it READY and previews a LOD. Real pieces throughout: the built storefront on
the local site server, the cart handler, moto's S3 and SQS (the bucket's notification), the
asset handler fed by the upload event pump, DynamoDB Local and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3

from handlers.shared import env
from handlers.shared.groups import SELLER_GROUP
from tests.asset.gltf_factory import GltfParts
from tests.sellers.browser import run_flow
from tests.sellers.staff_pool import PASSWORD

FLOW = Path(__file__).with_name("admin_flow.mjs")


def test_a_seller_creates_a_product_uploads_a_model_and_sees_it_ready(site, issuer, tmp_path):
    email, seller_sub, _ = issuer.user_with_email(SELLER_GROUP)
    sku = f"BOX-{uuid.uuid4().hex[:8]}"
    model = tmp_path / "box.glb"
    model.write_bytes(GltfParts(16).glb())
    seen = run_flow(FLOW, site, email, PASSWORD, sku, str(model))
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
