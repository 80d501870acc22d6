"""Where packaging reads and writes, relative to the repository root."""

from __future__ import annotations

from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
UV_LOCK: Final = REPO_ROOT / "uv.lock"
BUILD_DIR: Final = REPO_ROOT / "build" / "lambda"  # code/ and deps/ zips (not committed)
DOCKERFILE: Final = REPO_ROOT / "ci" / "lambda.Dockerfile"
RENDER_DOCKERFILE: Final = REPO_ROOT / "handlers" / "asset" / "posters" / "Dockerfile"
