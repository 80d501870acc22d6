"""Deterministic Lambda artifacts for the handlers, resolved at program time, fast and offline.

Two halves:
- Handler code (handlers/__init__.py, handlers/shared/, handlers/<name>/) is zipped here, at
  program time, deterministically: sorted entries, timestamps fixed at 1980-01-01, modes 0644,
  no tests, caches or compiled files. Same sources -> same bytes -> same hash -> no diff.
- Dependencies are built ahead of time by `python -m ci build-artifacts` from uv.lock for the
  target architecture. The build records what it produced in components/artifacts.lock.json
  (committed, like a lock file); the program only reads that record and checks it is still
  current for uv.lock, so no wheel is fetched or built while the program runs.

A handler whose dependencies have a wheel for the target and fit Lambda's 250 MB unzipped
limit ships as a Zip function plus one dependency layer. Otherwise (a package is sdist-only for
manylinux, or the total is too big) it ships as a container image built from ci/lambda.Dockerfile
and pushed to ECR; the record says which and why. A handler that imports nothing beyond the
standard library and the runtime's boto3 (RUNTIME_ONLY) ships as a Zip with no layer.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tomllib
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal, get_args

import pulumi

from stack_config.config import Architecture

Handler = Literal["asset", "cart", "identity"]
PackageType = Literal["Zip", "Image"]

HANDLERS: Final[tuple[Handler, ...]] = get_args(Handler)
ARCHITECTURES: Final[tuple[Architecture, ...]] = get_args(Architecture)

# Lambda's newest Python runtime with manylinux_2_34 wheels (Amazon Linux 2023, glibc 2.34).
RUNTIME: Final = "python3.12"
PYTHON_VERSION: Final = "3.12"
GLIBC_TAG: Final = "manylinux_2_34"
# Each handler is packaged from the uv dependency group of the same name.
ENTRY_POINTS: Final[Mapping[Handler, str]] = {
    "asset": "handlers.asset.handler.lambda_handler",
    "cart": "handlers.cart.api.lambda_entry.lambda_handler",
    "identity": "handlers.identity.handler.lambda_handler",
}
# Handlers that need only the standard library and what Lambda's Python runtime bundles
# (boto3/botocore): no dependency group, no layer. The Cognito trigger is one: a small package
# keeps its cold start inside Cognito's 5-second wait.
RUNTIME_ONLY: Final[frozenset[Handler]] = frozenset({"identity"})
RUNTIME_MODULES: Final = frozenset({"boto3", "botocore"})
RUNTIME_ONLY_REASON: Final = (
    "imports only the standard library and boto3, which Lambda's python3.12 runtime provides "
    "(the runtime's version, not uv.lock's): no layer"
)

# Handlers that run on one architecture whatever the stack's lambdaArchitecture says, and why.
PINNED_ARCHITECTURES: Final[Mapping[Handler, Architecture]] = {"asset": "x86_64"}
PINNED_REASON: Final[Mapping[Handler, str]] = {
    "asset": "almeshopt (meshoptimizer 1.x, the LOD simplifier) publishes x86_64 wheels only: "
    "no aarch64 wheel and no sdist to compile",
}

# Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
UNZIPPED_LIMIT_BYTES: Final = 250 * 1024 * 1024  # function + all layers, unzipped
DIRECT_UPLOAD_LIMIT_BYTES: Final = 50 * 1024 * 1024  # zip uploaded in the API call
IMAGE_LIMIT_BYTES: Final = 10 * 1024 * 1024 * 1024  # uncompressed container image

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
UV_LOCK: Final = REPO_ROOT / "uv.lock"
BUILD_RECORD: Final = Path(__file__).resolve().with_name("artifacts.lock.json")
BUILD_DIR: Final = REPO_ROOT / "build" / "lambda"
DOCKERFILE: Final = REPO_ROOT / "ci" / "lambda.Dockerfile"
BUILD_COMMAND: Final = "python -m ci build-artifacts"

FIXED_DATE_TIME: Final = (1980, 1, 1, 0, 0, 0)
FILE_MODE: Final = 0o100644  # regular file, rw-r--r--: Lambda only needs read access
# Never shipped: tests, caches, compiled bytecode, type-checker and editor leftovers.
EXCLUDED_DIRS: Final = frozenset(
    {"__pycache__", "tests", "test", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
)
EXCLUDED_SUFFIXES: Final = (".pyc", ".pyo")


class ArtifactError(RuntimeError):
    """An artifact cannot be produced; the message says why and which command fixes it."""


class StaleBuildRecord(UserWarning):
    """uv.lock changed since the dependency build was recorded (tolerated under mocks only)."""


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
    tag: str  # content tag: changes only when the code, the lock slice or the Dockerfile do


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


def architectures_of(handler: Handler) -> tuple[Architecture, ...]:
    """The architectures `handler` can be built for."""
    pinned = PINNED_ARCHITECTURES.get(handler)
    return ARCHITECTURES if pinned is None else (pinned,)


def handler_architecture(handler: Handler, configured: Architecture) -> Architecture:
    """The architecture `handler` runs on: the stack's, unless the handler is pinned."""
    return PINNED_ARCHITECTURES.get(handler, configured)


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
    record = current_record(handler, architecture)
    zipped = zip_handler_code(handler)
    code_path = _write_once(BUILD_DIR / "code" / f"{handler}-{zipped.hexdigest[:16]}.zip", zipped)
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
    context, context_digest = stage_image_context(handler)
    digest = hashlib.sha256()
    for part in (architecture, context_digest, _file_digest(DOCKERFILE)):
        digest.update(part.encode())
    image = ContainerImage(
        context=context,
        dockerfile=DOCKERFILE,
        platform="linux/arm64" if architecture == "arm64" else "linux/amd64",
        build_args={"HANDLER": handler, "ENTRY_POINT": ENTRY_POINTS[handler]},
        repository_name=f"shop3d-{handler}",
        tag=f"{architecture}-{digest.hexdigest()[:20]}",
    )
    return LambdaArtifact(
        name=handler,
        package_type="Image",
        architecture=architecture,
        handler=ENTRY_POINTS[handler],
        runtime=None,
        code=None,
        sha256=base64.b64encode(digest.digest()).decode(),
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


# --- the build record -------------------------------------------------------------------------


def record_key(handler: Handler, architecture: Architecture) -> str:
    return f"{handler}/{architecture}"


def read_build_record(path: Path | None = None) -> dict[str, Any]:
    path = BUILD_RECORD if path is None else path
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def current_record(handler: Handler, architecture: Architecture) -> Mapping[str, Any]:
    """The build record of (handler, architecture), checked against today's uv.lock."""
    key = record_key(handler, architecture)
    record = read_build_record().get(key)
    if record is None:
        raise ArtifactError(
            f"no dependency build recorded for {key} in {BUILD_RECORD.name}: "
            f"run `{BUILD_COMMAND} --handler {handler} --arch {architecture}`"
        )
    expected = lock_digest(handler)
    if record.get("lock_digest") != expected:
        stale = (
            f"the {handler} dependency group changed in uv.lock since {key} was built: "
            f"run `{BUILD_COMMAND} --handler {handler} --arch {architecture}`"
        )
        # Unit tests of the program only need the record's shape; one artifacts test
        # (test_the_build_record_is_current) fails instead of every program run.
        if not builds_optional():
            raise ArtifactError(stale)
        warnings.warn(stale, StaleBuildRecord, stacklevel=2)
    return dict(record)


# --- uv.lock: the packages a handler's group pulls in ------------------------------------------


@cache
def _lock_packages(lock_bytes: bytes) -> dict[str, list[dict[str, Any]]]:
    lock = tomllib.loads(lock_bytes.decode())
    by_name: dict[str, list[dict[str, Any]]] = {}
    for package in lock["package"]:
        by_name.setdefault(package["name"], []).append(package)
    return by_name


def group_closure(group: str, lock_bytes: bytes | None = None) -> list[dict[str, Any]]:
    """Every locked package the dependency group can install, markers ignored (a superset)."""
    packages = _lock_packages(UV_LOCK.read_bytes() if lock_bytes is None else lock_bytes)
    roots = [
        package
        for versions in packages.values()
        for package in versions
        if package.get("source", {}).get("virtual")
    ]
    if len(roots) != 1 or group not in roots[0].get("dev-dependencies", {}):
        raise ArtifactError(f"uv.lock has no dependency group {group!r} for the project")
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    pending: list[dict[str, Any]] = list(roots[0]["dev-dependencies"][group])
    while pending:
        ref = pending.pop()
        for package in packages.get(ref["name"], []):
            if "version" in ref and package["version"] != ref["version"]:
                continue
            key = (package["name"], package["version"])
            extras = ref.get("extra", [])
            if key not in seen:
                seen[key] = package
                pending.extend(package.get("dependencies", []))
            for extra in extras:
                pending.extend(package.get("optional-dependencies", {}).get(extra, []))
    return [seen[k] for k in sorted(seen)]


def lock_digest(group: str, lock_bytes: bytes | None = None) -> str:
    """A digest of the group's slice of uv.lock: changes only when one of its packages does.
    A RUNTIME_ONLY handler has no slice: its digest follows the runtime alone."""
    if group in RUNTIME_ONLY:
        provided = ",".join(sorted(RUNTIME_MODULES))
        return hashlib.sha256(f"{RUNTIME}\nruntime-provided:{provided}".encode()).hexdigest()
    closure = group_closure(group, lock_bytes)
    canonical = json.dumps(closure, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{RUNTIME}\n{canonical}".encode()).hexdigest()


# --- deterministic zips ---------------------------------------------------------------------


@dataclass(frozen=True)
class ZippedTree:
    data: bytes
    unzipped_bytes: int
    entries: int

    @property
    def hexdigest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def b64digest(self) -> str:
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()


def shippable_files(root: Path) -> Iterator[Path]:
    """Files under root worth shipping, skipping tests, caches, bytecode and hidden files."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in EXCLUDED_DIRS and not d.startswith(".")]
        for filename in filenames:
            if filename.startswith(".") or filename.endswith(EXCLUDED_SUFFIXES):
                continue
            if filename.startswith("test_") or filename == "conftest.py":
                continue
            yield Path(dirpath) / filename


def deterministic_zip(entries: Iterable[tuple[str, Path]]) -> ZippedTree:
    """Zip (archive name, file) pairs: sorted, fixed timestamps and modes, no directory entries."""
    buffer = io.BytesIO()
    unzipped = 0
    ordered = sorted(entries, key=lambda entry: entry[0])
    names = [name for name, _ in ordered]
    if len(set(names)) != len(names):
        raise ArtifactError("two files map to the same archive name")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, path in ordered:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.external_attr = FILE_MODE << 16
            info.create_system = 3  # Unix, so the mode bits are honoured
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            unzipped += len(data)
            archive.writestr(info, data)
    return ZippedTree(data=buffer.getvalue(), unzipped_bytes=unzipped, entries=len(ordered))


def handler_sources(handler: Handler, root: Path = REPO_ROOT) -> list[tuple[str, Path]]:
    """The files of a handler's code zip: the handlers package, shared facts, the handler."""
    handlers_dir = root / "handlers"
    if not (handlers_dir / handler).is_dir():
        raise ArtifactError(f"{handlers_dir / handler} does not exist: nothing to package")
    files: list[Path] = [handlers_dir / "__init__.py"]
    for part in ("shared", handler):
        files.extend(shippable_files(handlers_dir / part))
    return [(path.relative_to(root).as_posix(), path) for path in files if path.is_file()]


def zip_handler_code(handler: Handler, root: Path = REPO_ROOT) -> ZippedTree:
    return deterministic_zip(handler_sources(handler, root))


def imports_beyond_runtime(handler: Handler, root: Path = REPO_ROOT) -> list[str]:
    """Top-level modules the handler's code zip imports that neither the standard library, the
    runtime (RUNTIME_MODULES) nor the zip itself provides: a RUNTIME_ONLY handler needs none."""
    found: set[str] = set()
    for name, path in handler_sources(handler, root):
        if not name.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(path.read_bytes(), filename=name)):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    provided = sys.stdlib_module_names | RUNTIME_MODULES | {"handlers"}
    return sorted(found - provided)


def _write_once(path: Path, zipped: ZippedTree) -> Path:
    """Content-addressed write: an existing file of the same name already holds these bytes."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(zipped.data)
        partial.replace(path)  # atomic: concurrent test workers never see half a zip
    return path


def image_context_files(handler: Handler, root: Path = REPO_ROOT) -> list[tuple[str, Path]]:
    """What the image's build needs (ci/lambda.Dockerfile's COPY sources): the project's
    pyproject.toml and uv.lock, and the handler's code zip files."""
    project = [(name, root / name) for name in ("pyproject.toml", "uv.lock")]
    return sorted(project + handler_sources(handler, root))


def stage_image_context(handler: Handler, root: Path = REPO_ROOT) -> tuple[Path, str]:
    """The handler's own build context under build/image-context/<handler>, and the digest of
    its files. The image's tag is made from that digest, so the context the builder hashes
    and the tag agree: an edit to another handler changes neither (no rebuild), and any
    change to this context changes the tag (an IMMUTABLE repository refuses a second push
    under an existing tag)."""
    files = image_context_files(handler, root)
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(f"{name}\0{_file_digest(path)}\n".encode())
    directory = root / "build" / "image-context" / handler
    stamp = directory / ".digest"
    if not (stamp.is_file() and stamp.read_text() == digest.hexdigest()):
        shutil.rmtree(directory, ignore_errors=True)
        for name, path in files:
            target = directory / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        stamp.write_text(digest.hexdigest())
    return directory, digest.hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"
