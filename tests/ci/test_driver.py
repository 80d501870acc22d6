"""The driver's decisions, with the workspace layer (pulumi.automation) injected.

The injected stack records what the driver asked of it and answers with the shapes the
Automation API returns; nothing here deploys or claims to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pulumi.automation.events import EngineEvent

from ci.cli import parser
from ci.driver import INSTALL_HINT, Driver, Exit, StackRequest, run
from policy import tokens as t

ROOT = Path(__file__).resolve().parents[2]


def pre_event(op: str, urn: str, diffs: list[str]) -> EngineEvent:
    return EngineEvent.from_json(
        {
            "sequence": 1,
            "timestamp": 1,
            "resourcePreEvent": {
                "metadata": {
                    "op": op,
                    "urn": urn,
                    "type": t.BUCKET,
                    "provider": "",
                    "diffs": diffs,
                }
            },
        }
    )


@dataclass
class RecordingStack:
    """Answers like pulumi.automation.Stack; remembers every call."""

    events: list[EngineEvent] = field(default_factory=list)
    fail_refresh: bool = False
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    policy_config_seen: dict[str, Any] = field(default_factory=dict)

    def _record(self, name: str, kwargs: dict[str, Any]) -> None:
        self.calls.append((name, kwargs))
        for path in kwargs.get("policy_pack_configs", []):
            self.policy_config_seen = json.loads(Path(path).read_text())

    def preview(self, **kwargs: Any) -> Any:
        self._record("preview", kwargs)
        return SimpleNamespace(change_summary={"same": 10, "update": 1})

    def up(self, **kwargs: Any) -> Any:
        self._record("up", kwargs)
        outputs = {"siteUrl": SimpleNamespace(value="https://d1.cloudfront.net")}
        return SimpleNamespace(
            summary=SimpleNamespace(resource_changes={"create": 3}), outputs=outputs
        )

    def preview_refresh(self, **kwargs: Any) -> Any:
        self._record("preview_refresh", kwargs)
        for event in self.events:
            kwargs["on_event"](event)
        if self.fail_refresh:
            raise RuntimeError("error: no changes were expected but changes were proposed")
        return SimpleNamespace(change_summary={"same": 10})

    def destroy(self, **kwargs: Any) -> Any:
        self._record("destroy", kwargs)
        return SimpleNamespace(summary=SimpleNamespace(resource_changes={"delete": 3}))


@dataclass
class Harness:
    stack: RecordingStack = field(default_factory=RecordingStack)
    requests: list[StackRequest] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)

    def driver(
        self,
        cli: str | None = "/usr/bin/pulumi",
        environ: dict[str, str] | None = None,
        work_dir: Path = ROOT,
        preflight: tuple[str, bool] = ("", False),
    ) -> Driver:
        def open_stack(request: StackRequest) -> RecordingStack:
            self.requests.append(request)
            return self.stack

        def ensure() -> list[str]:
            self.built.append("checked")
            return []

        return Driver(
            open_stack=open_stack,
            which=lambda name: cli,
            environ=environ or {},
            ensure_artifacts=ensure,
            work_dir=work_dir,
            on_output=self.printed.append,
            preflight=lambda stack: preflight,
        )


@pytest.fixture
def harness() -> Harness:
    return Harness()


def test_preview_attaches_the_pack_with_the_stacks_exemptions(harness: Harness) -> None:
    code = run(harness.driver(), "preview", "dev")
    assert code == Exit.OK
    ((name, kwargs),) = harness.stack.calls
    assert name == "preview" and kwargs["diff"] is True
    assert kwargs["policy_packs"] == [str(ROOT / "policy")]
    # dev's shop3d:policyExemptions turn those rules advisory; all others stay mandatory.
    assert harness.stack.policy_config_seen["aurora-multi-az"] == {"enforcementLevel": "advisory"}
    assert all(
        v == {"enforcementLevel": "advisory"} for v in harness.stack.policy_config_seen.values()
    )
    assert harness.requests[0].create is True and harness.requests[0].env == {}
    assert harness.built == ["checked"]


def test_up_reports_changes_and_outputs(harness: Harness) -> None:
    outcome = harness.driver().up("prod")
    assert outcome.changes == {"create": 3}
    assert outcome.outputs == {"siteUrl": "https://d1.cloudfront.net"}
    assert harness.stack.calls[0][1]["policy_pack_configs"]
    # prod relaxes only what Pulumi.prod.yaml names; every other rule stays mandatory.
    assert harness.stack.policy_config_seen == {
        "cloudtrail-sns-topic": {"enforcementLevel": "advisory"},
        "secrets-rotation": {"enforcementLevel": "advisory"},
    }


def test_a_preflight_blocker_stops_up_before_the_stack_is_opened(harness: Harness) -> None:
    blocked = ("BLOCK  guardduty-detector ...\n1 blocker(s): fix them", True)
    assert run(harness.driver(preflight=blocked), "up", "dev") == Exit.PREFLIGHT
    assert harness.stack.calls == [] and harness.requests == []
    assert harness.printed[0].startswith("BLOCK  guardduty-detector")
    assert "./shop3d preflight dev" in harness.printed[-1]


def test_preflight_without_blockers_lets_up_run(harness: Harness) -> None:
    assert run(harness.driver(preflight=("no blockers", False)), "up", "dev") == Exit.OK
    assert [name for name, _ in harness.stack.calls] == ["up"]
    assert harness.printed[0] == "no blockers"


def test_drift_clean_exits_0_with_a_report(harness: Harness, tmp_path: Path) -> None:
    report = tmp_path / "drift.json"
    assert run(harness.driver(), "drift", "prod", report=report) == Exit.OK
    ((name, kwargs),) = harness.stack.calls
    assert name == "preview_refresh" and kwargs["expect_no_changes"] is True
    assert harness.requests[0].create is False  # drift never creates a stack
    data = json.loads(report.read_text())
    assert (data["drift"], data["changes"], data["error"], data["exit_code"]) == (
        False,
        [],
        None,
        0,
    )


def test_drift_found_exits_2_and_lists_what_changed(harness: Harness, tmp_path: Path) -> None:
    harness.stack.events = [
        pre_event("same", "urn:a", []),
        pre_event("update", "urn:b", ["tags", "versioning"]),
        pre_event("delete", "urn:c", []),
    ]
    harness.stack.fail_refresh = True
    report = tmp_path / "drift.json"
    assert run(harness.driver(), "drift", "prod", report=report) == Exit.DRIFT
    data = json.loads(report.read_text())
    assert data["drift"] is True and data["exit_code"] == 2
    assert [(c["urn"], c["op"], c["diffs"]) for c in data["changes"]] == [
        ("urn:b", "update", ["tags", "versioning"]),
        ("urn:c", "delete", []),
    ]


def test_drift_error_exits_1_with_the_reason(harness: Harness, tmp_path: Path) -> None:
    harness.stack.fail_refresh = True  # failed, and no change event: an error, not drift
    report = tmp_path / "drift.json"
    assert run(harness.driver(), "drift", "prod", report=report) == Exit.ERROR
    data = json.loads(report.read_text())
    assert data["drift"] is False and "changes were proposed" in data["error"]


def test_destroy_refuses_prod_without_the_flag(harness: Harness) -> None:
    assert run(harness.driver(), "destroy", "prod") == Exit.REFUSED
    assert harness.requests == [] and harness.stack.calls == []
    assert "--yes-destroy-prod" in harness.printed[-1]
    assert run(harness.driver(), "destroy", "prod", yes_destroy_prod=True) == Exit.OK
    assert [c[0] for c in harness.stack.calls] == ["destroy"]


def test_a_stack_whose_environment_is_prod_is_prod(harness: Harness, tmp_path: Path) -> None:
    (tmp_path / "Pulumi.live.yaml").write_text("config:\n  shop3d:environment: prod\n")
    (tmp_path / "Pulumi.scratch.yaml").write_text("config:\n  shop3d:environment: dev\n")
    driver = harness.driver(work_dir=tmp_path)
    assert run(driver, "destroy", "live") == Exit.REFUSED
    assert run(driver, "destroy", "scratch") == Exit.OK


def test_missing_cli_says_how_to_install(harness: Harness, tmp_path: Path) -> None:
    assert run(harness.driver(cli=None), "preview", "dev") == Exit.CLI_MISSING
    assert "pulumi CLI is not installed" in harness.printed[-1]
    assert INSTALL_HINT in harness.printed[-1]
    assert harness.requests == []
    report = tmp_path / "d.json"
    assert run(harness.driver(cli=None), "drift", "dev", report=report) == Exit.CLI_MISSING
    assert json.loads(report.read_text())["exit_code"] == Exit.CLI_MISSING


def test_up_without_the_cli_says_so_before_the_preflight_asks_aws(harness: Harness) -> None:
    asked: list[str] = []

    def preflight(stack: str) -> tuple[str, bool]:
        asked.append(stack)
        return "", False

    driver = harness.driver(cli=None)
    driver.preflight = preflight
    assert run(driver, "up", "dev") == Exit.CLI_MISSING
    assert asked == [] and harness.printed == [harness.printed[-1]]
    assert "pulumi CLI is not installed" in harness.printed[-1]


def test_unknown_stack_lists_the_allowed_ones(harness: Harness) -> None:
    assert run(harness.driver(), "up", "qa") == Exit.ERROR
    assert harness.printed[-1] == "error: unknown stack 'qa': allowed are dev, prod"


def test_local_backend_is_one_flag_and_needs_a_passphrase(harness: Harness, tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert run(harness.driver(), "preview", "dev", local_backend=state) == Exit.ERROR
    assert "PULUMI_CONFIG_PASSPHRASE" in harness.printed[-1]
    driver = harness.driver(environ={"PULUMI_CONFIG_PASSPHRASE": "x"})
    assert run(driver, "preview", "dev", local_backend=state) == Exit.OK
    assert harness.requests[-1].env == {"PULUMI_BACKEND_URL": state.resolve().as_uri()}
    assert state.is_dir()
    both = run(driver, "preview", "dev", local_backend=state, backend_url="s3://b")
    assert both == Exit.ERROR and "not both" in harness.printed[-1]
    assert run(driver, "preview", "dev", backend_url="s3://b") == Exit.OK
    assert harness.requests[-1].env == {"PULUMI_BACKEND_URL": "s3://b"}


def test_command_line_flags() -> None:
    args = parser().parse_args(["drift", "--stack", "prod", "--local-backend"])
    assert args.command == "drift" and args.local_backend is not None and args.report is None
    args = parser().parse_args(["destroy", "--stack", "dev", "--yes-destroy-prod"])
    assert args.yes_destroy_prod is True
    with pytest.raises(SystemExit):
        parser().parse_args(["preview"])  # --stack is required
