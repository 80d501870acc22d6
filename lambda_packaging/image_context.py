"""A container-image handler's own build context, staged under build/image-context/<handler>.

The image's tag is made from the digest of exactly these files, so the context the builder
hashes and the tag agree: an edit to another handler changes neither (no rebuild), and any
change inside the context changes the tag (an IMMUTABLE repository refuses a second push under
an existing tag)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from lambda_packaging.handler_code import handler_sources
from lambda_packaging.paths import REPO_ROOT
from lambda_packaging.targets import Handler


def image_context_files(handler: Handler, root: Path = REPO_ROOT) -> list[tuple[str, Path]]:
    """What ci/lambda.Dockerfile copies: pyproject.toml, uv.lock and the handler's code."""
    project = [(name, root / name) for name in ("pyproject.toml", "uv.lock")]
    return sorted(project + handler_sources(handler, root))


def stage_image_context(handler: Handler, root: Path = REPO_ROOT) -> tuple[Path, str]:
    """The staged context directory and the digest of its files (rewritten only on change)."""
    files = image_context_files(handler, root)
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(f"{name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
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
