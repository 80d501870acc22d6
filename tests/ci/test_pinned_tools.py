"""The repository's pinned tools come from .tools/ (what `./shop3d setup` installs), at the
version scripts/setup.sh pins, and their absence is an error naming the command that fixes it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ci import pinned_tools
from ci.cli import main
from ci.pinned_tools import PinnedToolMissing, pinned_tool

ROOT = Path(__file__).resolve().parents[2]


def test_uv_is_the_one_setup_installs_at_the_pinned_version() -> None:
    uv = pinned_tool("uv")
    assert uv == ROOT / ".tools" / "bin" / "uv"
    pinned = re.search(r'^UV_VERSION="([^"]+)"', (ROOT / "scripts" / "setup.sh").read_text(), re.M)
    assert pinned is not None
    version = subprocess.run([uv, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.split() == ["uv", pinned.group(1)]


def test_a_missing_tool_names_shop3d_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pinned_tools, "TOOLS_BIN", tmp_path)
    with pytest.raises(PinnedToolMissing, match=r"uv is missing: run `\./shop3d setup`"):
        pinned_tool("uv")


def test_the_build_command_reports_a_missing_uv_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pinned_tools, "TOOLS_BIN", tmp_path)
    assert main(["build-artifacts", "--handler", "cart", "--arch", "arm64"]) == 2
    assert f"error: {tmp_path / 'uv'} is missing: run `./shop3d setup`" in capsys.readouterr().out
