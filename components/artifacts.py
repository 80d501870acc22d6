"""The handlers' Lambda artifacts as Pulumi sees them, resolved at program time, fast and offline.

The pure parts live in lambda_packaging/ (no Pulumi there, so ci/ uses them too):
- Handler code (handlers/__init__.py, handlers/shared/, handlers/<name>/) is zipped at program
  time, deterministically (lambda_packaging.zips, .handler_code).
- Dependencies are built ahead of time by `python -m ci build-artifacts` from uv.lock for the
  target architecture, which records what it produced in lambda_packaging/artifacts.lock.json
  (lambda_packaging.record); the program only reads that record and checks it is still current
  for uv.lock, so no wheel is fetched or built while the program runs.

This module turns those into what a RegionalCell creates resources from: pulumi archives for a
Zip function and its layer, or the build inputs of a container image. A handler whose
dependencies have a wheel for the target and fit Lambda's 250 MB unzipped limit ships as a Zip
function plus one dependency layer. Otherwise (a package is sdist-only for manylinux, or the
total is too big) it ships as a container image built from ci/lambda.Dockerfile and pushed to
ECR; the record says which and why. A handler that imports nothing beyond the standard library
and the runtime's boto3 (RUNTIME_ONLY) ships as a Zip with no layer.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from lambda_packaging.errors import ArtifactError
from lambda_packaging.handler_code import zip_handler_code
from lambda_packaging.image_context import stage_image_context, stage_render_context
from lambda_packaging.paths import BUILD_DIR, DOCKERFILE, RENDER_DOCKERFILE
from lambda_packaging.record import BUILD_COMMAND, current_record
from lambda_packaging.targets import (
    ARCHITECTURES,
    ENTRY_POINTS,
    HANDLERS,
    PINNED_REASON,
    RUNTIME,
    RUNTIME_ONLY,
    UNZIPPED_LIMIT_BYTES,
    Architecture,
    Handler,
    PackageType,
    architectures_of,
)
from lambda_packaging.zips import ZippedTree, write_once


@dataclass(frozen=True)
class LayerArtifact:
    """The dependency layer of a Zip handler (one aws.lambda_.LayerVersion per region)."""

    name: str  # e.g. "shop3d-cart-deps-arm64"
    code: pulumi.Archive
    path: Path
    sha256: str  # base64 SHA-256 of the zip: LayerVersion.source_code_hash
    compatible_runtimes: tuple[str, ...]
    compatible_architectures: tuple[Architecture, ...]
    zipped_bytes: int
    unzipped_bytes: int
    packages: tuple[str, ...]  # "name==version" of everything inside


@dataclass(frozen=True)
class ContainerImage:
    """How to build a handler's image: give these to pulumi_docker_build.Image, push to ECR.

    The cell creates an aws.ecr.Repository named `repository_name`, builds with
    `context=context, dockerfile=dockerfile, platforms=[platform], build_args=build_args,
    push=True, tags=[f"{repo.repository_url}:{tag}"]` (registry auth from
    aws.ecr.get_authorization_token_output) and sets the function's image_uri to the pushed
    image's digest ref. The image's CMD is the handler entry, so no handler/runtime is set.
    """

    context: Path
    dockerfile: Path
    platform: str  # "linux/arm64" | "linux/amd64"
    build_args: Mapping[str, str]
    repository_name: str
    tag: str  # the digest of exactly the staged context and the Dockerfile (and the platform)


def content_tag(prefix: str, context_digest: str, dockerfile: Path) -> tuple[str, bytes]:
    """`<prefix>-<20 hex>` from the context's digest and the Dockerfile, and the full digest."""
    digest = hashlib.sha256()
    for part in (prefix, context_digest, _file_digest(dockerfile)):
        digest.update(part.encode())
    return f"{prefix}-{digest.hexdigest()[:20]}", digest.digest()


def render_image() -> ContainerImage:
    """The poster render job's image (x86_64 only: Debian's Chromium and NVIDIA's ECS AMI)."""
    context, context_digest = stage_render_context()
    tag, _ = content_tag("render-amd64", context_digest, RENDER_DOCKERFILE)
    return ContainerImage(
        context=context,
        dockerfile=RENDER_DOCKERFILE,
        platform="linux/amd64",
        build_args={},
        repository_name="shop3d-render",
        tag=tag,
    )


@dataclass(frozen=True)
class LambdaArtifact:
    """Everything a RegionalCell needs to create one handler's aws.lambda_.Function."""

    name: Handler
    package_type: PackageType
    architecture: Architecture
    handler: str  # dotted entry, e.g. "handlers.cart.api.lambda_entry.lambda_handler"
    runtime: str | None  # None for Image: the image carries its runtime
    code: pulumi.Archive | None  # None for Image
    sha256: str  # base64 SHA-256: Function.source_code_hash (Zip) or content digest (Image)
    code_zipped_bytes: int
    code_unzipped_bytes: int
    layers: tuple[LayerArtifact, ...] = ()
    image: ContainerImage | None = None
    reason: str = ""  # why this package type (e.g. which package has no wheel)
    notes: tuple[str, ...] = field(default=())

    @property
    def total_unzipped_bytes(self) -> int:
        return self.code_unzipped_bytes + sum(layer.unzipped_bytes for layer in self.layers)


def lambda_artifact(handler: Handler, architecture: Architecture = "arm64") -> LambdaArtifact:
    """The artifact of `handler` for `architecture`, from the sources and the build record."""
    if handler not in HANDLERS:
        raise ArtifactError(f"unknown handler {handler!r}: allowed are {', '.join(HANDLERS)}")
    if architecture not in ARCHITECTURES:
        raise ArtifactError(
            f"unknown architecture {architecture!r}: allowed are {', '.join(ARCHITECTURES)}"
        )
    if architecture not in architectures_of(handler):
        raise ArtifactError(
            f"{handler} runs on {', '.join(architectures_of(handler))} only, not {architecture}: "
            f"{PINNED_REASON[handler]} (use handler_architecture())"
        )
    record = current_record(handler, architecture, tolerate_stale=builds_optional())
    zipped = zip_handler_code(handler)
    code_path = write_once(BUILD_DIR / "code" / f"{handler}-{zipped.hexdigest[:16]}.zip", zipped)
    if record["package_type"] == "Image":
        return _image_artifact(handler, architecture, zipped, record)
    layers = () if handler in RUNTIME_ONLY else (_layer(handler, architecture, record["layer"]),)
    artifact = LambdaArtifact(
        name=handler,
        package_type="Zip",
        architecture=architecture,
        handler=ENTRY_POINTS[handler],
        runtime=RUNTIME,
        code=pulumi.FileArchive(str(code_path)),
        sha256=zipped.b64digest,
        code_zipped_bytes=len(zipped.data),
        code_unzipped_bytes=zipped.unzipped_bytes,
        layers=layers,
        reason=str(record.get("reason", "")),
    )
    if artifact.total_unzipped_bytes > UNZIPPED_LIMIT_BYTES:
        raise ArtifactError(
            f"{handler}/{architecture}: code plus layer unzip to "
            f"{artifact.total_unzipped_bytes} bytes, over Lambda's {UNZIPPED_LIMIT_BYTES}; "
            f"run `{BUILD_COMMAND}` so the record switches it to a container image"
        )
    return artifact


def _image_artifact(
    handler: Handler, architecture: Architecture, zipped: ZippedTree, record: Mapping[str, Any]
) -> LambdaArtifact:
    # The handler's own context, and a tag from exactly its files (lambda_packaging/image_context).
    context, context_digest = stage_image_context(handler)
    tag, digest = content_tag(architecture, context_digest, DOCKERFILE)
    image = ContainerImage(
        context=context,
        dockerfile=DOCKERFILE,
        platform="linux/arm64" if architecture == "arm64" else "linux/amd64",
        build_args={"HANDLER": handler, "ENTRY_POINT": ENTRY_POINTS[handler]},
        repository_name=f"shop3d-{handler}",
        tag=tag,
    )
    return LambdaArtifact(
        name=handler,
        package_type="Image",
        architecture=architecture,
        handler=ENTRY_POINTS[handler],
        runtime=None,
        code=None,
        sha256=base64.b64encode(digest).decode(),
        code_zipped_bytes=len(zipped.data),
        code_unzipped_bytes=zipped.unzipped_bytes,
        image=image,
        reason=str(record.get("reason", "")),
    )


def _layer(handler: Handler, architecture: Architecture, spec: Mapping[str, Any]) -> LayerArtifact:
    path = BUILD_DIR / "deps" / str(spec["file"])
    # Under the mock runtime the archive is never read; a real preview/up needs the file, and
    # the ci driver builds it first. Anyone running `pulumi` directly gets told how.
    if not path.is_file() and not builds_optional():
        raise ArtifactError(f"{path} is missing: run `{BUILD_COMMAND} --arch {architecture}`")
    return LayerArtifact(
        name=f"shop3d-{handler}-deps-{architecture}",
        code=pulumi.FileArchive(str(path)),
        path=path,
        sha256=str(spec["sha256"]),
        compatible_runtimes=(RUNTIME,),
        compatible_architectures=(architecture,),
        zipped_bytes=int(spec["zipped_bytes"]),
        unzipped_bytes=int(spec["unzipped_bytes"]),
        packages=tuple(spec["packages"]),
    )


# Set by the offline runner (offline/runner.py) around a program run under Pulumi's mocks: the
# zips are never read there, so neither a missing zip nor a stale build record stops the run.
BUILDS_OPTIONAL: ContextVar[bool] = ContextVar("shop3d_builds_optional", default=False)


def builds_optional() -> bool:
    """True inside a run that never reads the built zips (the offline runner sets it)."""
    return BUILDS_OPTIONAL.get()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"
