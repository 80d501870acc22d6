"""The GitHub Actions workflows say what the issue asks and call commands that exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ci.cli import parser
from ci.driver import known_stacks

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


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
    tests = load("tests.yml")["jobs"]["tests"]["steps"]
    assert any(s.get("run", "").startswith(".venv/bin/pytest") for s in tests)
