"""The `./shop3d` script: every command installs first, and its usage text names only options
the commands have (each command's own `--help` is the truth)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "shop3d"
# A case branch of the script: its command names and its body up to `;;`.
_BRANCH = re.compile(r"^ {4}([\w|-]+)\)\n(.*?);;", re.MULTILINE | re.DOTALL)


def _branches() -> dict[str, str]:
    text = SCRIPT.read_text(encoding="utf-8")
    return {name: body for names, body in _BRANCH.findall(text) for name in names.split("|")}


def _usage() -> str:
    run = subprocess.run([str(SCRIPT), "help"], capture_output=True, text=True, check=True)
    return run.stdout


def _usage_options() -> dict[str, set[str]]:
    """The --options the usage text gives each command (a continuation line belongs to the
    command above it)."""
    found: dict[str, set[str]] = {}
    command = ""
    for line in _usage().splitlines():
        named = re.match(r"\s*\./shop3d (\S+)", line)
        if named:
            command = named.group(1)
        if command:
            found.setdefault(command, set()).update(re.findall(r"--[a-z][a-z-]*", line))
    return found


def test_every_command_that_runs_python_installs_first() -> None:
    for name, body in _branches().items():
        if ".venv/bin/python" in body:
            before = body.split(".venv/bin/python", 1)[0]
            assert "scripts/setup.sh" in before, f"./shop3d {name} runs .venv before setup.sh"


def test_the_usage_text_is_the_whole_comment_block() -> None:
    usage = _usage()
    assert usage.startswith("shop3d's commands.")
    assert "./shop3d setup" in usage and "set -euo" not in usage


def _module(command: str) -> str:
    found = re.search(r"\.venv/bin/python -m (\S+)", _branches()[command])
    assert found, command
    return found.group(1)


@pytest.mark.parametrize("command", sorted(c for c, options in _usage_options().items() if options))
def test_the_usage_names_only_options_the_command_has(command: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", _module(command), "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    missing = {o for o in _usage_options()[command] if o not in run.stdout}
    assert not missing, f"./shop3d {command}'s usage names options it does not have: {missing}"
