"""Posters against real parts: each sample model through the asset handler (moto's S3,
DynamoDB Local), then the poster job rendering it with the storefront's viewer code in
Debian's headless Chromium (SwiftShader), images checked by decoding them with Pillow."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from PIL import Image

from handlers.asset.catalog import Catalog
from handlers.asset.posters.job import PosterJob, render_with_retries
from handlers.asset.posters.render import render_png
from handlers.asset.service import RENDER_COMMAND
from handlers.shared import env, storage, tables
from handlers.shared.posters import (
    ATTEMPTS,
    POSTER_LOD,
    POSTERS,
    is_poster_manifest,
    same_asset,
    sizes,
    srcset,
)
from local.catalog_file import load_catalog
from local.posters import PosterBackfill
from tests.asset.test_handler import batch_queue

SKU = tables.CATALOG.hash_key.name
REPO = Path(__file__).resolve().parents[2]
SAMPLES, MODELS_DIR = load_catalog()
# The poster's silhouette against the viewer's own (opaque, light grey background) at the same
# square size: intersection over union. Measured here 0.97-0.99 (see the test's message).
MIN_SILHOUETTE_IOU = 0.9
VIEWER_CHECK_PX = 600


@pytest.fixture
def handler(local_tables, local_buckets):
    import handlers.asset.handler as module

    module.use_wiring(module.AssetWiring.from_env())
    return module


@pytest.fixture
def catalog_table(aws_env, local_tables):
    return boto3.resource("dynamodb").Table(local_tables[tables.CATALOG.logical_name])


def publish_sample(handler: Any, s3: Any, bucket: str, sku: str, model: str) -> str:
    """The model through the asset handler, as an upload; returns its manifest key."""
    key = f"{storage.UPLOADS_PREFIX}{SAMPLES.seller}/{sku}/{model}"
    version = s3.put_object(Bucket=bucket, Key=key, Body=(MODELS_DIR / model).read_bytes())
    outcome = handler.process_object(bucket, key, version["VersionId"], "0A")
    assert outcome["status"] == "READY", outcome
    return str(outcome["manifest_key"])


def poster_job(s3: Any, table: Any, bucket: str) -> PosterJob:
    return PosterJob(s3, Catalog(table), bucket)


def read(s3: Any, bucket: str, key: str) -> bytes:
    body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


def silhouette_of_viewer(png: bytes) -> np.ndarray:
    """Pixels unlike the background (the most common colour), as the e2e smoke test counts."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    flat = rgb.reshape(-1, 3)
    background = Counter(map(tuple, flat[:: max(len(flat) // 20000, 1)])).most_common(1)[0][0]
    mask: np.ndarray = np.abs(rgb - np.array(background)).sum(axis=2) > 30
    return mask


@pytest.mark.parametrize("product", SAMPLES.products, ids=lambda p: p.sku)
def test_each_sample_model_gets_posters_that_are_not_blank_and_framed_like_the_viewer(
    product, handler, aws_env, local_buckets, catalog_table, tmp_path
):
    s3, assets = aws_env.s3_client(), local_buckets["assets"]
    manifest_key = publish_sample(handler, s3, local_buckets["uploads"], product.sku, product.model)
    outcome = poster_job(s3, catalog_table, assets).run(product.sku, manifest_key)
    assert outcome.status == "POSTED", outcome

    # The catalog moved to the poster manifest, beside the original, which is unchanged.
    item = catalog_table.get_item(Key={SKU: product.sku}, ConsistentRead=True)["Item"]
    assert item["asset_status"] == "READY" and item["manifest_key"] == outcome.manifest_key
    assert same_asset(item["manifest_key"], manifest_key)
    assert is_poster_manifest(item["manifest_key"].rsplit("/", 1)[1])
    original = json.loads(read(s3, assets, manifest_key))
    posted = json.loads(read(s3, assets, item["manifest_key"]))
    assert POSTERS not in original
    assert {k: v for k, v in posted.items() if k != POSTERS} == original
    block = posted[POSTERS]
    assert block["lod"] == POSTER_LOD and block["background"] == "transparent"
    expected = sorted((role, px, kind) for role, px in sizes() for kind in ("avif", "webp"))
    got = sorted((i["role"], i["width"], i["type"].split("/")[1]) for i in block["images"])
    assert got == expected

    prefix = manifest_key.rsplit("/", 1)[0] + "/"
    decoded = {}
    for entry in block["images"]:
        stored = s3.get_object(Bucket=assets, Key=prefix + entry["url"])
        data = stored["Body"].read()
        assert stored["ContentType"] == entry["type"] and len(data) == entry["bytes"]
        image = Image.open(io.BytesIO(data))
        assert image.format == entry["type"].split("/")[1].upper()
        assert image.size == (entry["width"], entry["height"])
        decoded[(entry["width"], entry["type"])] = image.convert("RGBA")

    poster = np.asarray(decoded[(1200, "image/avif")])
    covered = poster[:, :, 3] > 127
    coverage = covered.mean()
    # Shading alone (an untextured grey model) gives dozens of shades; a flat fill, a few.
    opaque = poster[covered][:, :3]
    colours = len({(int(r), int(g), int(b)) for r, g, b in opaque[:: max(len(opaque) // 50000, 1)]})
    assert 0.05 < coverage < 0.9, f"{product.sku}: {coverage:.3f} of the poster covered"
    assert colours >= 32, f"{product.sku}: only {colours} colours on the model"
    assert srcset(posted, "image/webp", "/x/").count("w,") == len(sizes()) - 1

    # Framing: the viewer itself (opaque, its light grey background) on the same LOD.
    lod = next(e for e in posted["lods"] if e["name"] == POSTER_LOD)
    glb = tmp_path / "standard.glb"
    glb.write_bytes(read(s3, assets, prefix + lod["url"]))
    viewer = silhouette_of_viewer(
        render_png(glb, tmp_path / "viewer.png", VIEWER_CHECK_PX, "viewer", "cpu")
    )
    scaled = Image.fromarray(poster).resize((VIEWER_CHECK_PX,) * 2, Image.Resampling.LANCZOS)
    ours = np.asarray(scaled)[:, :, 3] > 127
    iou = (ours & viewer).sum() / max((ours | viewer).sum(), 1)
    assert iou >= MIN_SILHOUETTE_IOU, f"{product.sku}: silhouette IoU {iou:.3f}"
    print(f"{product.sku}: coverage {coverage:.3f}, {colours} colours, silhouette IoU {iou:.3f}")


def test_a_failed_render_leaves_the_product_ready_without_posters_and_is_retried(
    handler, aws_env, local_buckets, catalog_table, caplog
):
    """The standard LOD replaced by bytes the viewer cannot parse: every attempt fails in
    Chromium, nothing is published, the product stays READY on its manifest; once the LOD is
    readable again a fresh backfill (the platform's next start) posts it."""
    s3, assets = aws_env.s3_client(), local_buckets["assets"]
    product = SAMPLES.products[0]
    manifest_key = publish_sample(handler, s3, local_buckets["uploads"], product.sku, product.model)
    prefix = manifest_key.rsplit("/", 1)[0] + "/"
    lod_key = prefix + f"{POSTER_LOD}.glb"
    good = read(s3, assets, lod_key)
    s3.put_object(Bucket=assets, Key=lod_key, Body=b"glTF but not really")
    job = poster_job(s3, catalog_table, assets)

    with caplog.at_level(logging.WARNING):
        outcome = render_with_retries(job, product.sku, manifest_key)
    assert outcome.status == "FAILED"
    attempts = [r for r in caplog.records if "poster of" in r.getMessage()]
    assert len(attempts) == ATTEMPTS
    item = catalog_table.get_item(Key={SKU: product.sku}, ConsistentRead=True)["Item"]
    assert item["asset_status"] == "READY" and item["manifest_key"] == manifest_key
    listed = s3.list_objects_v2(Bucket=assets, Prefix=prefix)["Contents"]
    names = {o["Key"].rsplit("/", 1)[1] for o in listed}
    assert not any(is_poster_manifest(n) or n.startswith(("poster-", "thumbnail-")) for n in names)

    backfill = PosterBackfill(job, catalog_table)
    backfill.given_up.add(manifest_key)
    assert backfill.run() == 0  # given up until the next start
    s3.put_object(Bucket=assets, Key=lod_key, Body=good)
    assert PosterBackfill(job, catalog_table).run() == 1
    item = catalog_table.get_item(Key={SKU: product.sku}, ConsistentRead=True)["Item"]
    assert item["asset_status"] == "READY" and is_poster_manifest(
        item["manifest_key"].rsplit("/", 1)[1]
    )


def test_publishing_submits_a_render_job_whose_command_posts_the_posters(
    local_tables, local_buckets, aws_env, catalog_table, monkeypatch
):
    """After publish the asset pipeline submits to the render queue (moto's Batch API); the
    job's command, run here as a process, renders and moves the catalog to the posters."""
    handler, batch = batch_queue(monkeypatch, threshold_bytes=10**12)
    monkeypatch.setenv(env.RENDER_JOB_QUEUE, handler.current_wiring().service.batch_queue)
    monkeypatch.setenv(env.RENDER_JOB_DEFINITION, handler.current_wiring().service.batch_definition)
    handler.use_wiring(handler.AssetWiring.from_env())
    s3 = aws_env.s3_client()
    product = SAMPLES.products[0]
    key = f"{storage.UPLOADS_PREFIX}{SAMPLES.seller}/{product.sku}/{product.model}"
    version = s3.put_object(
        Bucket=local_buckets["uploads"], Key=key, Body=(MODELS_DIR / product.model).read_bytes()
    )["VersionId"]
    outcome = handler.process_object(local_buckets["uploads"], key, version, "0A")
    assert outcome["status"] == "READY" and "; poster job " in outcome["detail"]
    job_id = outcome["detail"].rsplit(" ", 1)[-1]
    command = batch.describe_jobs(jobs=[job_id])["jobs"][0]["container"]["command"]
    assert command == [*RENDER_COMMAND, product.sku, outcome["manifest_key"]]

    done = subprocess.run(
        [sys.executable, *command[1:]], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "POSTED"
    item = catalog_table.get_item(Key={SKU: product.sku}, ConsistentRead=True)["Item"]
    assert same_asset(item["manifest_key"], outcome["manifest_key"])
    assert item["manifest_key"] != outcome["manifest_key"]


def test_srcset_lists_one_type_smallest_first_and_nothing_without_posters():
    manifest = {
        POSTERS: {
            "images": [
                {"type": "image/avif", "width": 1200, "url": "p.avif"},
                {"type": "image/webp", "width": 240, "url": "t.webp"},
                {"type": "image/avif", "width": 240, "url": "t.avif"},
            ]
        }
    }
    assert srcset(manifest, "image/avif", "/a/") == "/a/t.avif 240w, /a/p.avif 1200w"
    assert srcset({}, "image/avif", "/a/") == ""


def test_only_the_same_assets_poster_manifest_counts_as_the_published_one():
    published = "assets/S/abc/manifest.json"
    assert same_asset(published, published)
    assert same_asset("assets/S/abc/manifest.0123456789ab.json", published)
    assert not same_asset("assets/S/def/manifest.0123456789ab.json", published)
    assert not same_asset("assets/S/abc/manifest.json.bak", published)
    assert not same_asset(None, published)
