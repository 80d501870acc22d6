"""Command line: `python -m handlers.asset <input> <output-dir>` for people, and
`python -m handlers.asset --publish s3://<uploads>/<key> --version-id V` for the Batch job.

<input> is a local file or an s3:// URI. Exit status: 0 done, 2 rejected (reason on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO, get_args

from handlers.asset.config import Compression, PipelineConfig
from handlers.asset.errors import AssetRejected
from handlers.asset.mesh_import import UNIT_METRES
from handlers.asset.pipeline import PipelineResult, Progress, process_file
from handlers.asset.staging import staged
from handlers.asset.usdz_write import USDZ_NAME
from handlers.shared import storage

BAR_WIDTH = 30


def progress_bar(stream: TextIO) -> Progress:
    def show(stage: str, fraction: float) -> None:
        filled = int(BAR_WIDTH * fraction)
        stream.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {fraction:4.0%} {stage:<24}")
        if fraction >= 1.0:
            stream.write("\n")
        stream.flush()

    return show


def split_s3_uri(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key:
        raise SystemExit(f"error: {uri!r} is not s3://<bucket>/<key>")
    return bucket, key


def process_input(source: str, config: PipelineConfig, sku: str | None) -> PipelineResult:
    """A local file in place (relative glTF URIs resolve next to it), or an s3:// object
    streamed to a scratch file first."""
    bar = progress_bar(sys.stderr)
    if source.startswith("s3://"):
        import boto3

        bucket, key = split_s3_uri(source)
        file_name = key.rsplit("/", 1)[-1]
        with staged(boto3.client("s3"), {"Bucket": bucket, "Key": key}) as (path, digest):
            return process_file(
                path,
                sku or Path(file_name).stem,
                config,
                bar,
                file_name=file_name,
                content_hash=digest,
            )
    path = Path(source)
    if not path.is_file():
        raise SystemExit(f"error: {source} is not a file")
    return process_file(path, sku or path.stem, config, bar, base_dir=path.parent)


def run_local(args: argparse.Namespace) -> int:
    config = replace(PipelineConfig(), compression=args.compression, mesh_unit=args.unit)
    try:
        result = process_input(args.input, config, args.sku)
    except AssetRejected as exc:
        print(f"\nrejected: {exc}", file=sys.stderr)
        return 2
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    for lod in result.lods:
        (out / lod.file_name).write_bytes(lod.data)
    if result.usdz is not None:
        (out / USDZ_NAME).write_bytes(result.usdz)
    (out / storage.MANIFEST_NAME).write_text(json.dumps(result.manifest, indent=1))
    for entry in result.manifest["lods"]:
        print(
            f"{entry['name']:>8}: {entry['triangles']:>9} triangles {entry['bytes']:>10} bytes "
            f"error {entry['error']:.5f} ({entry['compression']})"
        )
    return 0


def run_publish(args: argparse.Namespace) -> int:
    """The Batch job: the same service path as the Lambda, never re-routed to Batch."""
    import boto3

    from handlers.asset.events import UploadRef, pad_sequencer, parse_upload_key
    from handlers.asset.service import AssetService

    bucket, key = split_s3_uri(args.publish)
    seller, sku, file_name = parse_upload_key(key)
    upload = UploadRef(
        bucket, key, args.version_id, seller, sku, file_name, pad_sequencer(args.sequencer)
    )
    service = AssetService.from_env(boto3.client("s3"), boto3.resource("dynamodb"))
    outcome = service.process_upload(upload, allow_batch=False)
    print(json.dumps(outcome.as_dict()))
    return 2 if outcome.status == "REJECTED" else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handlers.asset", description=__doc__)
    parser.add_argument("input", nargs="?", help="model file or s3://bucket/key")
    parser.add_argument("output_dir", nargs="?", help="folder for <lod>.glb and manifest.json")
    parser.add_argument("--sku", help="product id written into the manifest (default: file stem)")
    parser.add_argument(
        "--compression",
        choices=get_args(Compression),
        help="one compression for every LOD (default: each LOD's own: the preview meshopt, "
        "the others Draco)",
    )
    parser.add_argument(
        "--unit",
        choices=list(UNIT_METRES),
        help="what one STL/OBJ/PLY coordinate means (default: mm for STL, m for OBJ and PLY)",
    )
    parser.add_argument("--publish", metavar="S3_URI", help="process an upload and publish it")
    parser.add_argument("--version-id", default="null")
    parser.add_argument("--sequencer", default="")
    args = parser.parse_args(argv)
    if args.publish:
        return run_publish(args)
    if not args.input or not args.output_dir:
        parser.error("give <input> <output-dir>, or --publish s3://bucket/key")
    return run_local(args)


if __name__ == "__main__":
    sys.exit(main())
