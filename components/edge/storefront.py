"""The storefront's static-site buckets and their files.

A bucket in the primary region and one in the next region (CloudFront's storefront origin
group fails over to it), private like every shop3d bucket, read by CloudFront through OAC.
Each deploy writes the same files into both, and under storefront/ in the primary assets
bucket, where every cell's web tier syncs them from, so they never drift. The built site
(`shop3d:storefrontDist`, storefront/dist by default) is uploaded file by file with its
content type and cache-control (see site_files). The value `skip` deploys the buckets without
files, said in a warning and in the `storefrontFiles` output (0), never silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pulumi
import pulumi_aws as aws

from components.buckets import LifecycleRules, SecureBucket, secure_bucket
from components.edge.site_files import SiteFile, site_files
from components.naming import regional
from components.options import child

SKIP_UPLOAD: Final = "skip"
# Old deploys' files are only needed to roll back for a short while.
NONCURRENT_EXPIRY_DAYS: Final = 30
PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent.parent


def storefront_bucket(
    parent: pulumi.Resource,
    region: str,
    provider: pulumi.ProviderResource,
    key_arn: pulumi.Input[str],
    logs: SecureBucket,
    protect: bool,
) -> SecureBucket:
    bucket = secure_bucket(
        regional("edge", region, "storefront"),
        purpose="storefront",
        parent=parent,
        protect=protect,
        provider=provider,
        kms_key_arn=key_arn,
        # Small files, replaced on each deploy: tiering would only add monitoring fees.
        lifecycle=LifecycleRules(
            intelligent_tiering=False,
            noncurrent_to_glacier_days=None,
            noncurrent_expiry_days=NONCURRENT_EXPIRY_DAYS,
        ),
        access_log_bucket=logs,
    )
    # Every object change goes to EventBridge: each deploy's changes on record, at no charge
    # until a rule consumes them.
    aws.s3.BucketNotification(
        f"{bucket.name}-events",
        bucket=bucket.id,
        eventbridge=True,
        opts=child(parent, provider=provider),
    )
    return bucket


@dataclass(frozen=True)
class SiteBucket:
    bucket: SecureBucket
    key_arn: pulumi.Input[str]
    prefix: str = ""  # where the site's keys start in this bucket


def resolve_dist(setting: str) -> Path | None:
    """The build directory named by config (relative paths from the project root); None when
    the upload is skipped on purpose."""
    if setting == SKIP_UPLOAD:
        return None
    path = Path(setting)
    return path if path.is_absolute() else PROJECT_ROOT / path


def upload_site(targets: Sequence[SiteBucket], setting: str) -> int:
    """Upload the built site into every target bucket; returns the number of files. Each
    object names the key itself, so none is written before the bucket's default encryption
    applies."""
    root = resolve_dist(setting)
    if root is None:
        pulumi.log.warn(
            "shop3d:storefrontDist is 'skip': the storefront buckets are deployed without files"
        )
        return 0
    files = site_files(root, setting)
    for target in targets:
        _upload(target, files)
    return len(files)


def _upload(target: SiteBucket, files: Sequence[SiteFile]) -> None:
    bucket = target.bucket
    for site_file in files:
        key = target.prefix + site_file.key
        aws.s3.BucketObject(
            f"{bucket.name}-file-{key}",
            bucket=bucket.id,
            key=key,
            source=pulumi.FileAsset(str(site_file.path)),
            content_type=site_file.content_type,
            cache_control=site_file.cache_control,
            server_side_encryption="aws:kms",
            kms_key_id=target.key_arn,
            bucket_key_enabled=True,
            opts=child(bucket.parent, provider=bucket.provider),
        )
