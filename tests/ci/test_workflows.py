"""The GitHub Actions workflows call commands that exist; the tests workflow runs exactly
.ci/run, which runs `./shop3d check` under a minimal PATH; pre-commit runs a subset of it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from ci.checks import CHECKS
from ci.cli import parser
from ci.driver import known_stacks

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_pull_requests_run_tests_and_preview_every_stack() -> None:
    workflow = load("pull-request.yml")
    assert "pull_request" in workflow["on"]
    jobs = workflow["jobs"]
    assert jobs["tests"]["uses"] == "./.github/workflows/tests.yml"
    assert jobs["preview"]["with"]["operation"] == "preview"
    assert sorted(jobs["preview"]["strategy"]["matrix"]["stack"]) == known_stacks()


def test_main_deploys_dev_after_the_tests() -> None:
    workflow = load("deploy-dev.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "tests"
    assert deploy["with"] == {"operation": "up", "stack": "dev"}


def test_drift_runs_nightly_on_prod() -> None:
    workflow = load("drift-prod.yml")
    assert workflow["on"]["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]
    assert workflow["jobs"]["drift"]["with"] == {"operation": "drift", "stack": "prod"}


def test_the_stack_workflow_runs_real_driver_commands() -> None:
    steps = load("stack.yml")["jobs"]["run"]["steps"]
    script = next(s["run"] for s in steps if s.get("id") == "driver")
    assert '.venv/bin/python -m ci "${{ inputs.operation }}"' in script
    for operation in ("preview", "up", "drift"):
        args = parser().parse_args([operation, "--stack", "dev"])
        assert args.command == operation


def test_the_tests_workflow_runs_exactly_ci_run() -> None:
    steps = load("tests.yml")["jobs"]["tests"]["steps"]
    assert [step.get("uses", "").split("@")[0] for step in steps[:-1]] == [
        "actions/checkout",
        "actions/setup-python",
    ]
    assert steps[-1] == {"run": ".ci/run"}


def run_ci_run(tmp_path: Path, **env: str) -> tuple[list[str], dict[str, str]]:
    """Run the real .ci/run in a copy of the repository whose ./shop3d only reports what it
    was given: its arguments and its environment."""
    (tmp_path / ".ci").mkdir()
    script = tmp_path / ".ci" / "run"
    shutil.copy2(ROOT / ".ci" / "run", script)
    fake = tmp_path / "shop3d"
    fake.write_text('#!/bin/bash\nprintf "%s\\n" "$@" > args.txt\nenv -0 > env.bin\n')
    fake.chmod(0o755)
    outside = {"HOME": "/home/ci", "PATH": f"{tmp_path}/by-hand:/usr/bin:/bin", "SECRET": "x"}
    subprocess.run([str(script)], env={**outside, **env}, check=True, cwd="/")
    args = (tmp_path / "args.txt").read_text().splitlines()
    pairs = (item.split("=", 1) for item in (tmp_path / "env.bin").read_text().split("\0") if item)
    return args, dict(pairs)


def test_ci_run_runs_shop3d_check_with_a_minimal_path_and_environment(tmp_path: Path) -> None:
    args, env = run_ci_run(tmp_path)
    assert args == ["check"]
    assert env["PATH"] == "/usr/local/bin:/usr/bin:/bin"
    assert (env["HOME"], env["LANG"]) == ("/home/ci", "C.UTF-8")
    # bash itself sets PWD, SHLVL and _; nothing else of the caller's environment survives.
    assert set(env) <= {"HOME", "PATH", "LANG", "PWD", "SHLVL", "_", "OLDPWD"}


def test_ci_run_puts_the_python_setup_python_installed_first(tmp_path: Path) -> None:
    _, env = run_ci_run(tmp_path, pythonLocation="/opt/hostedtoolcache/Python/3.11.9/x64")
    assert env["PATH"] == "/opt/hostedtoolcache/Python/3.11.9/x64/bin:/usr/local/bin:/usr/bin:/bin"
    assert "pythonLocation" not in env


def test_pre_commit_runs_only_checks_that_shop3d_check_runs() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing to download
    assert {hook["language"] for hook in hooks} == {"system"}
    commands = [check.command for check in CHECKS]
    for hook in hooks:
        tool_and_subcommand = tuple(hook["entry"].split()[:2])
        assert any(command[:2] == tool_and_subcommand for command in commands), hook["id"]
    assert {hook["id"] for hook in hooks} <= {check.name for check in CHECKS}
    validate = [str(ROOT / ".venv" / "bin" / "pre-commit"), "validate-config"]
    subprocess.run([*validate, str(ROOT / ".pre-commit-config.yaml")], check=True, cwd=ROOT)
