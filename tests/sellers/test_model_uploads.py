"""Model uploads through presigned S3 multipart URLs (moto's S3 over HTTP, as a browser sends
them), the checks before anything is signed, resume after a drop, and the asset state shown."""

from __future__ import annotations

import hashlib
import http.client
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from handlers.cart.products.limits import PART_MIN_BYTES, UPLOAD_MAX_BYTES
from handlers.cart.stores.upload_store import PendingUpload, Uploads
from handlers.shared.limits import MIB
from handlers.shared.storage import UPLOADS_PREFIX

PRODUCTS = "/api/admin/products"


@pytest.fixture
def product(api, seller):
    sku = f"UP-{uuid.uuid4().hex[:10]}"
    body = {
        "sku": sku,
        "name": "Lamp",
        "category": "lighting",
        "price_minor": 4900,
        "currency": "EUR",
    }
    assert api.call("POST", PRODUCTS, body, token=seller[1]).status == 201
    return sku


def put_part(url: str, data: bytes) -> tuple[int, str]:
    """PUT one part the way a browser does (no AWS SDK, no credentials: the URL is the grant)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=120)
    try:
        conn.request("PUT", f"{parts.path}?{parts.query}", body=data)
        reply = conn.getresponse()
        reply.read()
        return reply.status, reply.getheader("ETag") or ""
    finally:
        conn.close()


def blob(size: int) -> bytes:
    return os.urandom(size)


def part_of(data: bytes, part: dict[str, Any]) -> bytes:
    start = (part["part_number"] - 1) * PART_MIN_BYTES
    return data[start : start + part["size"]]


# -- checks before signing --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"file_name": "chair.exe", "size": 10}, "not a model"),
        ({"file_name": "chair", "size": 10}, "not a model"),
        ({"file_name": "../chair.glb", "size": 10}, "file_name"),
        ({"file_name": "a/b.glb", "size": 10}, "file_name"),
        ({"file_name": "chair.glb", "size": UPLOAD_MAX_BYTES + 1}, "size"),
        ({"file_name": "chair.glb", "size": 0}, "size"),
        ({"file_name": "chair.glb", "size": 10, "part_size": 5 * MIB}, "part_size"),
        ({"file_name": "chair.glb", "size": 10, "part_size": 65 * MIB}, "part_size"),
    ],
)
def test_an_upload_that_the_asset_service_would_refuse_is_not_signed(
    api, seller, product, uploads_bucket, body, named
):
    reply = api.call("POST", f"{PRODUCTS}/{product}/uploads", body, token=seller[1])
    assert reply.status == 422, reply.body
    assert named in reply.body["detail"]
    listing = boto3.client("s3").list_multipart_uploads(Bucket=uploads_bucket)
    assert not [u for u in listing.get("Uploads", []) if product in u["Key"]]


def test_uploads_of_a_product_that_does_not_exist_are_404(api, seller):
    body = {"file_name": "chair.glb", "size": 10}
    assert api.call("POST", f"{PRODUCTS}/NOPE-1/uploads", body, token=seller[1]).status == 404


# -- the 200 MiB upload ---------------------------------------------------------------------------
def test_a_200_mib_model_uploads_in_parallel_parts_with_one_part_retried(
    api, seller, product, uploads_bucket
):
    size = 200 * MIB
    data = blob(size)
    plan = start_upload(api, seller[1], product, "lamp.glb", size)
    assert plan["key"] == f"{UPLOADS_PREFIX}{seller[0]}/{product}/lamp.glb"
    assert plan["part_size"] == 16 * MIB and plan["part_count"] == 13
    assert [p["size"] for p in plan["parts"]] == [16 * MIB] * 12 + [8 * MIB]
    # Part 5's first attempt is cut off half way (a dropped connection): S3 does not keep it.
    broken = plan["parts"][4]
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        _send_half_and_drop(broken["url"], part_of(data, broken))

    def send(part: dict[str, Any]) -> int:
        status, etag = put_part(part["url"], part_of(data, part))
        assert etag
        return status

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(send, plan["parts"]))
    assert statuses == [200] * 13  # part 5 retried on the same URL
    done = api.call(
        "POST",
        f"{PRODUCTS}/{product}/uploads/current/complete",
        {"upload_id": plan["upload_id"]},
        token=seller[1],
    )
    assert done.status == 200, done.body
    assert done.body["asset"]["status"] == "PENDING" and done.body["upload"] is None
    s3 = boto3.client("s3")
    head = s3.head_object(Bucket=uploads_bucket, Key=plan["key"])
    assert head["ContentLength"] == size
    body = s3.get_object(Bucket=uploads_bucket, Key=plan["key"])["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()


def _send_half_and_drop(url: str, data: bytes) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    conn.putrequest("PUT", f"{parts.path}?{parts.query}")
    conn.putheader("Content-Length", str(len(data)))
    conn.endheaders()
    conn.send(data[: len(data) // 2])
    conn.sock.close()  # the connection drops mid-part
    conn.getresponse()  # raises: nothing answers a dropped connection


# -- resume ---------------------------------------------------------------------------------------
def test_after_a_drop_the_upload_resumes_with_only_the_missing_parts(
    api, seller, product, uploads_bucket
):
    size = 3 * PART_MIN_BYTES + 1234
    data = blob(size)
    plan = start_upload(api, seller[1], product, "lamp.stl", size)
    first, _, third, _ = plan["parts"]
    assert put_part(first["url"], part_of(data, first))[0] == 200
    assert put_part(third["url"], part_of(data, third))[0] == 200
    # The tab is closed; later the browser asks what is there.
    early = complete(api, seller[1], product, plan["upload_id"])
    assert early.status == 409 and early.body["missing_parts"] == [2, 4]
    resumed = api.call("GET", f"{PRODUCTS}/{product}/uploads/current", token=seller[1])
    assert resumed.status == 200
    assert [p["part_number"] for p in resumed.body["parts_done"]] == [1, 3]
    assert [p["part_number"] for p in resumed.body["parts"]] == [2, 4]
    for part in resumed.body["parts"]:
        assert put_part(part["url"], part_of(data, part))[0] == 200
    done = complete(api, seller[1], product, plan["upload_id"])
    assert done.status == 200
    stored = boto3.client("s3").get_object(Bucket=uploads_bucket, Key=plan["key"])["Body"].read()
    assert stored == data


def start_upload(api, token, sku, file_name="a.glb", size=10):
    reply = api.call(
        "POST", f"{PRODUCTS}/{sku}/uploads", {"file_name": file_name, "size": size}, token=token
    )
    assert reply.status == 201, reply.body
    return reply.body


def complete(api, token, sku, upload_id):
    return api.call(
        "POST", f"{PRODUCTS}/{sku}/uploads/current/complete", {"upload_id": upload_id}, token=token
    )


def test_a_new_upload_replaces_the_one_in_progress_and_the_old_id_cannot_complete(
    api, seller, product, uploads_bucket
):
    old = start_upload(api, seller[1], product, "a.glb")
    new = start_upload(api, seller[1], product, "b.glb")
    reply = complete(api, seller[1], product, old["upload_id"])
    assert reply.status == 409 and "replaced" in reply.body["detail"]
    listing = boto3.client("s3").list_multipart_uploads(Bucket=uploads_bucket)
    ids = {u["UploadId"] for u in listing.get("Uploads", [])}
    assert old["upload_id"] not in ids and new["upload_id"] in ids


def test_an_aborted_upload_is_gone_from_s3_and_from_the_product(
    api, seller, product, uploads_bucket
):
    plan = start_upload(api, seller[1], product)
    reply = api.call("DELETE", f"{PRODUCTS}/{product}/uploads/current", token=seller[1])
    assert reply.status == 200 and reply.body["upload"] is None
    listing = boto3.client("s3").list_multipart_uploads(Bucket=uploads_bucket)
    assert plan["upload_id"] not in {u["UploadId"] for u in listing.get("Uploads", [])}
    assert api.call("GET", f"{PRODUCTS}/{product}/uploads/current", token=seller[1]).status == 404


# -- asset state ----------------------------------------------------------------------------------
def test_the_product_shows_the_asset_services_outcome_in_words(api, seller, product, shop):
    table = boto3.resource("dynamodb").Table(shop.catalog_table)
    reason = "model declares 30000001 vertices; the limit is 30000000"
    table.update_item(
        Key={"sku": product},
        UpdateExpression="SET asset_status = :s, asset_reason = :r",
        ExpressionAttributeValues={":s": "REJECTED", ":r": reason},
    )
    rejected = api.call("GET", f"{PRODUCTS}/{product}", token=seller[1]).body["asset"]
    assert rejected == {"status": "REJECTED", "reason": reason, "manifest_url": None}
    table.update_item(
        Key={"sku": product},
        UpdateExpression="SET asset_status = :s, manifest_key = :m REMOVE asset_reason",
        ExpressionAttributeValues={":s": "READY", ":m": f"assets/{product}/abc/manifest.json"},
    )
    ready = api.call("GET", f"{PRODUCTS}/{product}", token=seller[1]).body["asset"]
    assert ready == {
        "status": "READY",
        "reason": None,
        "manifest_url": f"/assets/{product}/abc/manifest.json",
    }


# -- a completion the SDK retried ------------------------------------------------------------------
class _RetriedCompletion:
    """The S3 client as the SDK behaves after a read timeout on CompleteMultipartUpload: the
    first request completed on the server, the retry meets the upload already gone."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)

    def complete_multipart_upload(self, **request: Any) -> Any:
        self._s3.complete_multipart_upload(**request)
        return self._s3.complete_multipart_upload(**request)


def _uploaded_parts(uploads: Uploads, size: int) -> tuple[PendingUpload, bytes]:
    data = blob(size)
    pending = uploads.start("seller-1", f"RT-{uuid.uuid4().hex[:8]}", "a.glb", size, None)
    for part in uploads.plan(pending)["parts"]:
        assert put_part(part["url"], part_of(data, part))[0] == 200
    return pending, data


def test_a_completion_retried_after_it_succeeded_is_success(uploads_bucket):
    s3 = boto3.client("s3")
    pending, data = _uploaded_parts(Uploads(s3, uploads_bucket), 2 * PART_MIN_BYTES + 7)
    Uploads(_RetriedCompletion(s3), uploads_bucket).complete(pending)
    stored = s3.get_object(Bucket=uploads_bucket, Key=pending.key)["Body"].read()
    assert stored == data


class _WrongETags(_RetriedCompletion):
    """A completion S3 refuses (InvalidPart): nothing is assembled under the key."""

    def complete_multipart_upload(self, **request: Any) -> Any:
        parts = request["MultipartUpload"]["Parts"]
        request["MultipartUpload"] = {"Parts": [{**p, "ETag": '"' + "0" * 32 + '"'} for p in parts]}
        return self._s3.complete_multipart_upload(**request)


def test_a_refused_completion_with_no_object_is_still_an_error(uploads_bucket):
    s3 = boto3.client("s3")
    pending, _ = _uploaded_parts(Uploads(s3, uploads_bucket), PART_MIN_BYTES + 7)
    with pytest.raises(ClientError, match="InvalidPart"):
        Uploads(_WrongETags(s3), uploads_bucket).complete(pending)
