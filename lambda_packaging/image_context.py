"""A container image's own build context, staged under build/image-context/<name>.

The image's tag is made from the digest of exactly these files, so the context the builder
hashes and the tag agree: an edit outside the context changes neither (no rebuild), and any
change inside it changes the tag (an IMMUTABLE repository refuses a second push under an
existing tag). Two contexts: a container-image handler's (ci/lambda.Dockerfile) and the poster
render job's (handlers/asset/posters/Dockerfile)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from lambda_packaging.handler_code import handler_sources
from lambda_packaging.paths import REPO_ROOT
from lambda_packaging.targets import Handler
from lambda_packaging.zips import shippable_files

RENDER_CONTEXT: Final = "render"
# What `npx vite build` in the render image reads (storefront/vite.config.ts's inputs, their
# sources and the lock): not node_modules, dist or the smoke tests.
STOREFRONT_FILES: Final = (
    "package.json",
    "package-lock.json",
    "index.html",
    "poster.html",
    "vite.config.ts",
    "tsconfig.json",
)
STOREFRONT_DIRS: Final = ("src", "tools")


def image_context_files(handler: Handler, root: Path = REPO_ROOT) -> list[tuple[str, Path]]:
    """What ci/lambda.Dockerfile copies: pyproject.toml, uv.lock and the handler's code."""
    project = [(name, root / name) for name in ("pyproject.toml", "uv.lock")]
    return sorted(project + handler_sources(handler, root))


def render_context_files(root: Path = REPO_ROOT) -> list[tuple[str, Path]]:
    """What handlers/asset/posters/Dockerfile copies: the storefront's build inputs and the
    asset handlers (handlers/__init__.py, handlers/shared/, handlers/asset/)."""
    storefront = root / "storefront"
    files = [storefront / name for name in STOREFRONT_FILES]
    for directory in STOREFRONT_DIRS:
        files.extend(shippable_files(storefront / directory))
    entries = [(path.relative_to(root).as_posix(), path) for path in files if path.is_file()]
    return sorted(entries + handler_sources("asset", root))


def context_digest(files: Sequence[tuple[str, Path]]) -> str:
    """The digest of (name, content) of every file: what the image's tag is made from."""
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(f"{name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def stage_context(
    name: str, files: Sequence[tuple[str, Path]], root: Path = REPO_ROOT
) -> tuple[Path, str]:
    """The staged context directory and the digest of its files (rewritten only on change)."""
    digest = context_digest(files)
    directory = root / "build" / "image-context" / name
    stamp = directory / ".digest"
    if not (stamp.is_file() and stamp.read_text() == digest):
        shutil.rmtree(directory, ignore_errors=True)
        for entry, path in files:
            target = directory / entry
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        stamp.write_text(digest)
    return directory, digest


def stage_image_context(handler: Handler, root: Path = REPO_ROOT) -> tuple[Path, str]:
    """A handler's staged context and its digest."""
    return stage_context(handler, image_context_files(handler, root), root)


def stage_render_context(root: Path = REPO_ROOT) -> tuple[Path, str]:
    """The render job's staged context and its digest."""
    return stage_context(RENDER_CONTEXT, render_context_files(root), root)
