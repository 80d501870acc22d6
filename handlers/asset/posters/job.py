"""Posters of one READY product: render, write the images, then the poster manifest, then
move the catalog to it (conditionally). Any failure before the last step leaves the product
READY on the manifest it had: unreferenced images at most, never a half-published poster."""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from handlers.asset.catalog import Catalog
from handlers.asset.posters.encode import encode_posters, images_digest
from handlers.asset.posters.render import Compute, PosterRenderFailed, render_png
from handlers.shared.cache_control import IMMUTABLE
from handlers.shared.posters import (
    ATTEMPTS,
    POSTER_LOD,
    POSTER_PX,
    POSTERS,
    Background,
    poster_manifest_name,
    posters_block,
)

logger = logging.getLogger(__name__)
PosterStatus = Literal["POSTED", "SKIPPED", "FAILED"]


@dataclass(frozen=True)
class PosterOutcome:
    status: PosterStatus
    detail: str
    manifest_key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PosterJob:
    s3: Any  # boto3 S3 client
    catalog: Catalog
    assets_bucket: str
    background: Background = "transparent"
    compute: Compute = "cpu"

    def run(self, sku: str, manifest_key: str) -> PosterOutcome:
        """Raises PosterRenderFailed when Chromium produced nothing (the caller retries)."""
        if self.catalog.state(sku).get("manifest_key") != manifest_key:
            return PosterOutcome("SKIPPED", "the product no longer names this manifest")
        manifest = self._json(manifest_key)
        if POSTERS in manifest:
            return PosterOutcome("SKIPPED", "this manifest already lists posters", manifest_key)
        prefix = str(PurePosixPath(manifest_key).parent) + "/"
        lod = next(entry for entry in manifest["lods"] if entry["name"] == POSTER_LOD)
        with tempfile.TemporaryDirectory(prefix="poster-") as scratch:
            glb = Path(scratch) / "model.glb"
            glb.write_bytes(self._bytes(prefix + lod["url"]))
            png = render_png(
                glb, Path(scratch) / "poster.png", POSTER_PX, self.background, self.compute
            )
        images = encode_posters(png)
        for image in images:
            self.s3.put_object(
                Bucket=self.assets_bucket,
                Key=prefix + image.url,
                Body=image.data,
                ContentType=image.entry()["type"],
                CacheControl=IMMUTABLE,
            )
        target = prefix + poster_manifest_name(images_digest(images))
        manifest[POSTERS] = posters_block(images, self.background)
        self.s3.put_object(
            Bucket=self.assets_bucket,
            Key=target,
            Body=json.dumps(manifest, indent=1).encode(),
            ContentType="application/json",
            CacheControl=IMMUTABLE,
        )
        if not self.catalog.move_manifest(sku, manifest_key, target):
            return PosterOutcome("SKIPPED", "a newer upload replaced the manifest meanwhile")
        logger.info("posters of %s: %s", sku, target)
        return PosterOutcome("POSTED", f"{len(images)} images", target)

    def _bytes(self, key: str) -> bytes:
        body: bytes = self.s3.get_object(Bucket=self.assets_bucket, Key=key)["Body"].read()
        return body

    def _json(self, key: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self._bytes(key))
        return loaded


def render_with_retries(job: PosterJob, sku: str, manifest_key: str) -> PosterOutcome:
    """The local platform's retry loop (Batch retries the job itself): every failure logged,
    the product left READY without a poster after the last one."""
    reason = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return job.run(sku, manifest_key)
        except PosterRenderFailed as exc:
            reason = str(exc)
            logger.warning(
                "poster of %s failed (attempt %d of %d): %s", sku, attempt, ATTEMPTS, reason
            )
    return PosterOutcome("FAILED", f"{ATTEMPTS} attempts: {reason}")
