"""The asset Lambda against real local servers: moto's S3/SQS server and DynamoDB Local.

S3 events come from moto's own bucket notifications where the test is about delivery, and
are built as S3 sends them where the test needs a precise order or a malformed key.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from PIL import Image

from handlers.asset.config import PipelineConfig
from handlers.asset.pipeline import import_model
from handlers.shared import env, storage, tables
from local import lambda_runtime
from local.lambda_runtime import s3_record
from local.upload_events import received_event
from tests.asset.gltf_factory import GltfParts

SKU = tables.CATALOG.hash_key.name
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def handler(local_tables, local_buckets):
    import handlers.asset.handler as module

    module.use_wiring(module.AssetWiring.from_env())  # clients and tables from this test's env
    return module


@pytest.fixture
def s3(aws_env):
    return aws_env.s3_client()


@pytest.fixture
def catalog(aws_env, local_tables):
    return boto3.resource("dynamodb").Table(local_tables[tables.CATALOG.logical_name])


def model_bytes(n: int = 12) -> bytes:
    return GltfParts(n).glb()


def sqs_event(*bodies: dict[str, Any]) -> dict[str, Any]:
    return lambda_runtime.sqs_event(lambda_runtime.sqs_record(body) for body in bodies)


def put(s3, bucket: str, key: str, body: bytes) -> str:
    return str(s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"])


def test_notified_upload_is_published_with_a_manifest(
    handler, s3, catalog, local_buckets, upload_events, aws_env
):
    key = f"{storage.UPLOADS_PREFIX}seller-1/sku-1/chair.glb"
    uploaded = model_bytes()
    put(s3, local_buckets["uploads"], key, uploaded)
    sqs = aws_env.sqs_client()
    messages = sqs.receive_message(
        QueueUrl=upload_events.url, MaxNumberOfMessages=10, WaitTimeSeconds=2
    )["Messages"]
    event = received_event(messages, upload_events.arn)
    assert handler.lambda_handler(event, lambda_runtime.asset_context()) == {
        "batchItemFailures": []
    }

    item = catalog.get_item(Key={SKU: "sku-1"})["Item"]
    assert item["asset_status"] == "READY"
    manifest_key = item["manifest_key"]
    assert manifest_key.startswith(f"{storage.ASSETS_PREFIX}sku-1/")
    assert manifest_key.endswith(storage.MANIFEST_NAME)
    assets = local_buckets["assets"]
    manifest = json.loads(s3.get_object(Bucket=assets, Key=manifest_key)["Body"].read())
    assert manifest["sku"] == "sku-1"
    # Hashed while streaming to the scratch file: the hash of every byte uploaded.
    assert manifest["content_hash"] == hashlib.sha256(uploaded).hexdigest()
    assert manifest_key.split("/")[2] == manifest["content_hash"]
    assert manifest["source"]["bytes"] == len(uploaded)
    base = manifest_key.rsplit("/", 1)[0]
    for entry in manifest["lods"]:
        body = s3.get_object(Bucket=assets, Key=f"{base}/{entry['url']}")["Body"].read()
        assert len(body) == entry["bytes"]
        assert (
            import_model(body, entry["url"], PipelineConfig()).triangle_count == entry["triangles"]
        )
    # The AR file is served as USDZ (S3 object metadata, which CloudFront and the local
    # platform's asset route pass on): AR Quick Look opens nothing else.
    usdz = s3.get_object(Bucket=assets, Key=f"{base}/{manifest['ar']['usdz']['url']}")
    assert usdz["ContentType"] == "model/vnd.usdz+zip"
    assert usdz["CacheControl"] == "public, max-age=31536000, immutable"
    assert usdz["Body"].read()[:2] == b"PK"  # a zip package


def test_duplicate_delivery_does_not_reprocess(handler, s3, local_buckets):
    key = f"{storage.UPLOADS_PREFIX}seller-1/sku-2/chair.glb"
    version = put(s3, local_buckets["uploads"], key, model_bytes())
    event = sqs_event({"Records": [s3_record(local_buckets["uploads"], key, version)]})
    handler.lambda_handler(event, lambda_runtime.asset_context())
    handler.lambda_handler(event, lambda_runtime.asset_context())
    listed = s3.list_object_versions(
        Bucket=local_buckets["assets"], Prefix=f"{storage.ASSETS_PREFIX}sku-2/"
    )
    manifests = [v for v in listed["Versions"] if v["Key"].endswith(storage.MANIFEST_NAME)]
    assert len(manifests) == 1  # written once, not overwritten by the redelivery


def test_copy_in_another_region_is_not_reprocessed(handler, s3, local_buckets):
    """Another region has its own idempotency table; the global catalog still knows."""
    key = f"{storage.UPLOADS_PREFIX}seller-1/sku-3/chair.glb"
    version = put(s3, local_buckets["uploads"], key, model_bytes())
    first = handler.process_object(local_buckets["uploads"], key, version, "0A")
    assert first["status"] == "READY"
    from handlers.asset.events import upload_from_record

    upload = upload_from_record(s3_record(local_buckets["uploads"], key, version))
    again = handler.current_wiring().service.process_upload(
        upload
    )  # straight past Powertools idempotency
    assert (again.status, again.detail.split(":")[0]) == ("SKIPPED", "duplicate")


def test_out_of_order_events_keep_the_newest_upload(handler, s3, catalog, local_buckets):
    key = f"{storage.UPLOADS_PREFIX}seller-1/sku-4/chair.glb"
    old = put(s3, local_buckets["uploads"], key, model_bytes(8))
    new = put(s3, local_buckets["uploads"], key, model_bytes(12))
    newer = handler.process_object(local_buckets["uploads"], key, new, "0B")
    older = handler.process_object(local_buckets["uploads"], key, old, "0A")
    assert newer["status"] == "READY"
    assert older["status"] == "SKIPPED" and older["detail"].startswith("stale")
    item = catalog.get_item(Key={SKU: "sku-4"})["Item"]
    assert item["manifest_key"] == newer["manifest_key"]


def test_bad_upload_is_rejected_and_quarantined(handler, s3, catalog, local_buckets):
    key = f"{storage.UPLOADS_PREFIX}seller-1/sku-5/broken.glb"
    version = put(s3, local_buckets["uploads"], key, b"glTF" + b"\x01" * 40)
    outcome = handler.process_object(local_buckets["uploads"], key, version, "0A")
    assert outcome["status"] == "REJECTED"
    item = catalog.get_item(Key={SKU: "sku-5"})["Item"]
    assert item["asset_status"] == "REJECTED"
    assert "only version 2 is supported" in item["asset_reason"]
    quarantined = s3.head_object(
        Bucket=local_buckets["uploads"], Key=f"{storage.QUARANTINE_PREFIX}seller-1/sku-5/broken.glb"
    )
    assert "only version 2" in quarantined["Metadata"]["rejected-reason"]
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=local_buckets["uploads"], Key=key)
    nothing = s3.list_objects_v2(
        Bucket=local_buckets["assets"], Prefix=f"{storage.ASSETS_PREFIX}sku-5/"
    )
    assert nothing["KeyCount"] == 0


def test_keys_outside_uploads_are_refused(handler, local_buckets):
    outcome = handler.process_object(local_buckets["uploads"], "other/sku/x.glb", "v1")
    assert outcome["status"] == "REFUSED"
    assert "outside uploads/<seller>/" in outcome["detail"]
    outcome = handler.process_object(local_buckets["uploads"], "uploads/seller/x.glb", "v1")
    assert "must be uploads/<seller>/<sku>/<file name>" in outcome["detail"]


def test_url_encoded_keys_are_decoded(handler, s3, catalog, local_buckets):
    key = f"{storage.UPLOADS_PREFIX}seller one/sku-6/my chair (v2).glb"
    version = put(s3, local_buckets["uploads"], key, model_bytes())
    event = sqs_event(
        {"Records": [s3_record(local_buckets["uploads"], quote_plus(key, "/"), version)]}
    )
    assert handler.lambda_handler(event, lambda_runtime.asset_context()) == {
        "batchItemFailures": []
    }
    assert catalog.get_item(Key={SKU: "sku-6"})["Item"]["asset_status"] == "READY"


def test_one_failing_record_is_reported_alone(handler, s3, catalog, local_buckets):
    good_key = f"{storage.UPLOADS_PREFIX}seller-1/sku-7/chair.glb"
    version = put(s3, local_buckets["uploads"], good_key, model_bytes())
    missing = s3_record(
        local_buckets["uploads"], f"{storage.UPLOADS_PREFIX}s/sku-8/gone.glb", "no-such-version"
    )
    event = sqs_event(
        {"Records": [s3_record(local_buckets["uploads"], good_key, version)]},
        {"Records": [missing]},
    )
    response = handler.lambda_handler(event, lambda_runtime.asset_context())
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert catalog.get_item(Key={SKU: "sku-7"})["Item"]["asset_status"] == "READY"


def batch_queue(monkeypatch, threshold_bytes: int):
    """A job queue and definition on moto's Batch API, named to the asset Lambda (reloaded)."""
    iam, batch = boto3.client("iam"), boto3.client("batch")
    role = iam.create_role(RoleName=f"batch-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument="{}")[
        "Role"
    ]["Arn"]
    suffix = uuid.uuid4().hex[:8]
    env_arn = batch.create_compute_environment(
        computeEnvironmentName=f"asset-{suffix}", type="UNMANAGED", serviceRole=role
    )["computeEnvironmentArn"]
    batch.create_job_queue(
        jobQueueName=f"asset-{suffix}",
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": env_arn}],
    )
    batch.register_job_definition(
        jobDefinitionName=f"asset-{suffix}",
        type="container",
        containerProperties={"image": "asset", "vcpus": 1, "memory": 2048, "command": ["true"]},
    )
    monkeypatch.setenv(env.ASSET_BATCH_THRESHOLD_BYTES, str(threshold_bytes))
    monkeypatch.setenv(env.ASSET_BATCH_JOB_QUEUE, f"asset-{suffix}")
    monkeypatch.setenv(env.ASSET_BATCH_JOB_DEFINITION, f"asset-{suffix}")
    import handlers.asset.handler as handler

    handler.use_wiring(handler.AssetWiring.from_env())
    return handler, batch


def test_uploads_with_many_texture_pixels_go_to_batch_though_the_file_is_small(
    local_tables, local_buckets, aws_env, s3, catalog, monkeypatch
):
    """Routing follows decoded work: a GLB of a few KB whose one texture declares 4096 x 4096
    pixels (about 2 s to encode at the measured rate) goes to Batch under a 1 s budget, while
    the same geometry without the texture is processed in the Lambda."""
    handler, _ = batch_queue(monkeypatch, threshold_bytes=10**9)
    service = handler.current_wiring().service
    service.config = replace(service.config, lambda_work_seconds=1.0)
    parts = GltfParts(8)
    picture = io.BytesIO()
    Image.new("L", (4096, 4096), 128).save(picture, format="PNG")
    parts.doc["images"] = [
        {"bufferView": parts.add_view(picture.getvalue()), "mimeType": "image/png"}
    ]
    parts.doc["textures"] = [{"source": 0}]
    parts.doc["materials"] = [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]
    parts.primitive["material"] = 0
    textured = parts.glb()
    assert len(textured) < 100_000
    key = f"{storage.UPLOADS_PREFIX}seller-1/sku-px/textured.glb"
    version = put(s3, local_buckets["uploads"], key, textured)
    outcome = handler.process_object(local_buckets["uploads"], key, version, "0A")
    assert outcome["status"] == "BATCH"
    assert outcome["detail"].startswith("98 triangles and 16777216 texture pixels (about 2 s")
    plain_key = f"{storage.UPLOADS_PREFIX}seller-1/sku-plain/plain.glb"
    version = put(s3, local_buckets["uploads"], plain_key, GltfParts(8).glb())
    assert handler.process_object(local_buckets["uploads"], plain_key, version, "0B")["status"] == (
        "READY"
    )


def test_large_uploads_go_to_batch_and_the_job_publishes(
    local_tables, local_buckets, aws_env, s3, catalog, monkeypatch
):
    """Above the size threshold the Lambda submits an AWS Batch job (moto's Batch API); the
    job's command, run here as a process, publishes through the same service code."""
    handler, batch = batch_queue(monkeypatch, threshold_bytes=1000)
    key = f"{storage.UPLOADS_PREFIX}seller-1/sku-9/big.glb"
    version = put(s3, local_buckets["uploads"], key, model_bytes())
    outcome = handler.process_object(local_buckets["uploads"], key, version, "0C")
    assert outcome["status"] == "BATCH"
    assert catalog.get_item(Key={SKU: "sku-9"})["Item"]["asset_status"] == "PENDING"
    job_id = outcome["detail"].rsplit(" ", 1)[-1]
    command = batch.describe_jobs(jobs=[job_id])["jobs"][0]["container"]["command"]
    assert command[:4] == ["python", "-m", "handlers.asset", "--publish"]

    done = subprocess.run(
        [sys.executable, *command[1:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "READY"
    item = catalog.get_item(Key={SKU: "sku-9"})["Item"]
    assert item["asset_status"] == "READY" and item["manifest_key"].endswith("manifest.json")


def _pump_until_idle(pump) -> None:
    while pump.poll_once():
        pass


def test_a_replaced_model_at_the_same_key_is_published_again_locally(
    handler, s3, catalog, local_buckets, upload_events, aws_env
):
    """moto's events carry no versionId; the local pump adds it (local/upload_events.py), so
    the second upload is a new version to the asset service, not a duplicate delivery."""
    from local.upload_events import UploadEventPump

    pump = UploadEventPump(
        aws_env.sqs_client(), upload_events, handler.lambda_handler, s3=aws_env.s3_client()
    )
    key = f"{storage.UPLOADS_PREFIX}seller-1/sku-replaced/chair.glb"
    for n in (12, 16):
        uploaded = model_bytes(n)
        put(s3, local_buckets["uploads"], key, uploaded)
        _pump_until_idle(pump)
        item = catalog.get_item(Key={SKU: "sku-replaced"}, ConsistentRead=True)["Item"]
        assert item["asset_status"] == "READY"
        assert item["manifest_key"].split("/")[2] == hashlib.sha256(uploaded).hexdigest()
