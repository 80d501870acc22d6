"""The repository's pinned tools: `./shop3d setup` installs them into .tools/ (scripts/setup.sh
pins their versions), and every caller takes them from there, never from PATH, so a fresh clone
behaves the same on a laptop, on a CI runner and under `env -i` with a minimal PATH."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final, Literal

PinnedTool = Literal["uv"]

TOOLS_BIN: Final = Path(__file__).resolve().parent.parent / ".tools" / "bin"


class PinnedToolMissing(RuntimeError):
    """A pinned tool is not installed in .tools/: `./shop3d setup` installs it."""


def pinned_tool(name: PinnedTool) -> Path:
    """The path of the repository's pinned `name` (e.g. .tools/bin/uv)."""
    path = TOOLS_BIN / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise PinnedToolMissing(
            f"{path} is missing: run `./shop3d setup`, which installs the {name} version "
            "scripts/setup.sh pins (a uv found on PATH is not used: its version may differ)"
        )
    return path
