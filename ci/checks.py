"""The checks: the one list of what `./shop3d check` runs, in order, which is what CI runs
(.ci/run). `./shop3d lint` runs the static ones; .pre-commit-config.yaml runs a subset of them
(tests/ci/test_workflows.py holds it to that).

    .venv/bin/python -m ci.checks [--static] [name ...]

Every check runs even when an earlier one failed, so one run shows everything that is wrong;
the exit code is 1 when any failed. The tools come from the repository's .venv and
storefront/node_modules (what `./shop3d setup` installs), never from PATH, except npm itself.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Check:
    name: str
    command: tuple[str, ...]  # run from `cwd`, relative to the repository
    cwd: str = "."
    static: bool = False  # reads the sources only: part of `./shop3d lint`


CHECKS: Final[tuple[Check, ...]] = (
    Check("ruff-check", (".venv/bin/ruff", "check", "."), static=True),
    Check("ruff-format", (".venv/bin/ruff", "format", "--check", "."), static=True),
    # Strict, over the whole repository ([tool.mypy] in pyproject.toml).
    Check("mypy", (".venv/bin/mypy", "."), static=True),
    # Two workers: what a CI runner's two cores take; the servers each test starts are its own.
    Check("pytest", (".venv/bin/python", "-m", "pytest", "-n", "2")),
    # Type-check, build and vitest (unit and smoke) of the storefront.
    Check("storefront", ("npm", "test"), cwd="storefront"),
)


def selected(names: Sequence[str], static_only: bool = False) -> list[Check]:
    """The checks to run, in CHECKS order; an unknown name is refused with the allowed ones."""
    known = [check.name for check in CHECKS]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown check {', '.join(unknown)}: allowed are {', '.join(known)}")
    return [
        check
        for check in CHECKS
        if (not names or check.name in names) and (check.static or not static_only)
    ]


def run(checks: Sequence[Check], root: Path = REPO_ROOT) -> int:
    """Run each check, then print one line per check; 1 when any failed, else 0."""
    results: list[tuple[Check, int, float]] = []
    for check in checks:
        print(f"check: {check.name}: {' '.join(check.command)}", flush=True)
        started = time.monotonic()
        code = subprocess.run(check.command, cwd=root / check.cwd, check=False).returncode
        results.append((check, code, time.monotonic() - started))
    print("check: summary", flush=True)
    for check, code, seconds in results:
        state = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"  {check.name:<12} {state:<16} {seconds:6.1f} s")
    return 1 if any(code for _, code, _ in results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ci.checks", description=__doc__)
    parser.add_argument("--static", action="store_true", help="only the static checks (lint)")
    parser.add_argument("names", nargs="*", help=", ".join(c.name for c in CHECKS))
    args = parser.parse_args(argv)
    try:
        checks = selected(args.names, static_only=args.static)
    except ValueError as error:
        parser.error(str(error))
    return run(checks)


if __name__ == "__main__":
    sys.exit(main())
