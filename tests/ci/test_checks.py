"""`./shop3d check`: one list of checks, run in order, every one even after a failure, with the
exit code of the worst; `test`, `lint` and `check` dispatch to it as the usage text says."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ci.checks import CHECKS, Check, run, selected

ROOT = Path(__file__).resolve().parents[2]


def test_the_checks_cover_lint_format_types_tests_and_the_storefront_in_order() -> None:
    assert [check.name for check in CHECKS] == [
        "ruff-check",
        "ruff-format",
        "mypy",
        "pytest",
        "storefront",
    ]
    # The whole repository, nothing excluded on the command line; pytest on two workers.
    assert CHECKS[2].command == (".venv/bin/mypy", ".")
    assert CHECKS[3].command[-2:] == ("-n", "2")
    assert (CHECKS[4].command, CHECKS[4].cwd) == (("npm", "test"), "storefront")


def test_static_selects_what_reads_only_the_sources() -> None:
    assert [c.name for c in selected([], static_only=True)] == ["ruff-check", "ruff-format", "mypy"]
    assert [c.name for c in selected(["pytest", "ruff-check"])] == ["ruff-check", "pytest"]
    with pytest.raises(ValueError, match="unknown check pytset: allowed are ruff-check, "):
        selected(["pytset"])


def test_every_check_runs_after_a_failure_and_the_run_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sub").mkdir()
    checks = [
        Check("first", ("sh", "-c", "exit 3")),
        Check("second", ("sh", "-c", "pwd > ran.txt"), cwd="sub"),
    ]
    assert run(checks, root=tmp_path) == 1
    assert (tmp_path / "sub" / "ran.txt").read_text().strip() == str(tmp_path / "sub")
    summary = capsys.readouterr().out.split("check: summary\n")[1].splitlines()
    assert [line.split()[:2] for line in summary] == [["first", "FAILED"], ["second", "passed"]]
    assert "FAILED (exit 3)" in summary[0]
    assert run(checks[1:], root=tmp_path) == 0


def test_the_development_page_lists_the_checks_that_run() -> None:
    page = (ROOT / "docs" / "development.md").read_text()
    rows = re.findall(r"^\| `([a-z-]+)` \| `([^`]+)`", page, re.MULTILINE)
    assert rows == [(check.name, " ".join(check.command)) for check in CHECKS]


@pytest.fixture
def shop3d_copy(tmp_path: Path) -> Path:
    """The real ./shop3d beside a setup that does nothing and a .venv python that only
    records its arguments."""
    shutil.copy2(ROOT / "shop3d", tmp_path / "shop3d")
    for path, body in (
        ("scripts/setup.sh", "true"),
        (".venv/bin/python", 'printf "%s " "$@" >> calls.txt; echo >> calls.txt'),
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(f"#!/bin/bash\n{body}\n")
        (tmp_path / path).chmod(0o755)
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "python_args"),
    [
        (["check"], "-m ci.checks"),
        (["check", "mypy"], "-m ci.checks mypy"),
        (["test"], "-m ci.checks"),  # no args: exactly check
        (["test", "tests/ci/test_checks.py", "-x"], "-m pytest tests/ci/test_checks.py -x"),
        (["lint"], "-m ci.checks --static"),
    ],
)
def test_shop3d_dispatches_to_the_checks(
    shop3d_copy: Path, argv: list[str], python_args: str
) -> None:
    subprocess.run([str(shop3d_copy / "shop3d"), *argv], check=True, capture_output=True)
    assert (shop3d_copy / "calls.txt").read_text().split("\n")[0].strip() == python_args


def test_the_usage_text_lists_exactly_the_commands_shop3d_handles() -> None:
    script = (ROOT / "shop3d").read_text()
    usage = set(re.findall(r"^#   \./shop3d ([a-z-]+)", script, re.MULTILINE))
    handled = set(re.findall(r"^    ([a-z|-]+)\)$", script, re.MULTILINE))
    assert usage == {name for label in handled for name in label.split("|")} - {
        "help",
        "-h",
        "--help",
    }
