"""The built storefront (storefront/dist): built when missing or older than its sources."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from local.servers import REPO_ROOT

STOREFRONT: Final = REPO_ROOT / "storefront"
SOURCES: Final = ("src", "index.html", "package-lock.json", "vite.config.ts")


class StorefrontBuildError(RuntimeError):
    """npm failed: the message has the command and its output's last lines."""


def _files(root: Path) -> Iterator[Path]:
    for name in SOURCES:
        path = root / name
        yield from (path.rglob("*") if path.is_dir() else [path])


def is_stale(root: Path = STOREFRONT) -> bool:
    """True when dist/index.html is missing or older than any source file."""
    built = root / "dist" / "index.html"
    if not built.is_file():
        return True
    built_at = built.stat().st_mtime
    return any(p.is_file() and p.stat().st_mtime > built_at for p in _files(root))


def _npm(root: Path, *args: str) -> None:
    result = subprocess.run(["npm", *args], cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
        raise StorefrontBuildError(f"`npm {' '.join(args)}` in {root} failed:\n{tail}")


def build(root: Path = STOREFRONT) -> Path:
    """npm ci (when node_modules is missing) and npm run build; returns the dist directory."""
    if not (root / "node_modules").is_dir():
        _npm(root, "ci", "--no-audit", "--no-fund")
    _npm(root, "run", "build")
    return root / "dist"
