"""The Automation API driver: preview, up, drift and destroy for one stack.

The driver makes the decisions (which stack, which backend, policy pack and its config,
refusing a prod destroy, what counts as drift, exit codes, the drift report); the workspace
layer (pulumi.automation over the pulumi CLI) is injected, so tests exercise every decision
without the CLI and nothing here claims a deployment happened unless the engine said so.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any, Final, Literal, Protocol, cast

import yaml

from policy.exemptions import ExemptionError, from_stack_config, pack_config

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
POLICY_PACK: Final = REPO_ROOT / "policy"
LOCAL_BACKEND_DIR: Final = REPO_ROOT / ".local" / "pulumi-state"
INSTALL_HINT: Final = (
    "install it with `curl -fsSL https://get.pulumi.com | sh` (or `brew install pulumi/tap/"
    "pulumi`, or from Python: `pulumi.automation.PulumiCommand.install()`), then put "
    "~/.pulumi/bin on PATH"
)
# Engine operations that leave a resource as it is.
UNCHANGED_OPS: Final = frozenset({"same", "read", "refresh"})

Operation = Literal["preview", "up", "drift", "destroy"]


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    DRIFT = 2
    REFUSED = 3  # e.g. destroy prod without --yes-destroy-prod
    CLI_MISSING = 4
    PREFLIGHT = 5  # the account lacks something the first deploy needs


class DriverError(Exception):
    """A decision the driver refuses to make; carries the exit code."""

    def __init__(self, message: str, code: Exit = Exit.ERROR) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StackRequest:
    """What the workspace layer needs to open a stack."""

    name: str
    work_dir: Path
    env: Mapping[str, str]
    create: bool  # create when missing (preview/up); drift and destroy never create


@dataclass(frozen=True)
class Change:
    urn: str
    type: str
    op: str
    diffs: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What one operation did, as the engine reported it."""

    operation: Operation
    stack: str
    changes: dict[str, int] = field(default_factory=dict)  # op -> count
    drifted: list[Change] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


class StackHandle(Protocol):
    """The subset of pulumi.automation.Stack the driver uses (so tests can inject one)."""

    def preview(self, **kwargs: Any) -> Any: ...
    def up(self, **kwargs: Any) -> Any: ...
    def preview_refresh(self, **kwargs: Any) -> Any: ...
    def destroy(self, **kwargs: Any) -> Any: ...


OpenStack = Callable[[StackRequest], StackHandle]
Which = Callable[[str], str | None]
# A stack name -> (the preflight report, whether something blocks the deploy).
Preflight = Callable[[str], tuple[str, bool]]


# --- decisions ------------------------------------------------------------------------------


def known_stacks(work_dir: Path = REPO_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in work_dir.glob("Pulumi.*.yaml"))


def stack_file(stack: str, work_dir: Path = REPO_ROOT) -> Path:
    stacks = known_stacks(work_dir)
    if stack not in stacks:
        raise DriverError(f"unknown stack {stack!r}: allowed are {', '.join(stacks)}")
    return work_dir / f"Pulumi.{stack}.yaml"


def is_production(stack: str, work_dir: Path = REPO_ROOT) -> bool:
    """prod by name or by its shop3d:environment (a renamed prod stack is still prod)."""
    config = (yaml.safe_load(stack_file(stack, work_dir).read_text()) or {}).get("config") or {}
    return stack == "prod" or config.get("shop3d:environment") == "prod"


def find_cli(which: Which = shutil.which) -> str:
    found = which("pulumi") or which(str(Path.home() / ".pulumi" / "bin" / "pulumi"))
    if found is None:
        raise DriverError(
            f"the pulumi CLI is not installed (not on PATH): {INSTALL_HINT}", Exit.CLI_MISSING
        )
    return found


def backend_env(
    local_backend: Path | None, backend_url: str | None, environ: Mapping[str, str]
) -> dict[str, str]:
    """PULUMI_BACKEND_URL for the chosen backend; a file backend needs a passphrase."""
    if local_backend is not None and backend_url is not None:
        raise DriverError("give either --local-backend or --backend-url, not both")
    if local_backend is None:
        return {"PULUMI_BACKEND_URL": backend_url} if backend_url else {}
    if not (
        environ.get("PULUMI_CONFIG_PASSPHRASE") or environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    ):
        raise DriverError(
            "a local file backend encrypts stack secrets with a passphrase: set "
            "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE)"
        )
    local_backend.mkdir(parents=True, exist_ok=True)
    return {"PULUMI_BACKEND_URL": local_backend.resolve().as_uri()}


@contextmanager
def policy_args(stack: str, work_dir: Path = REPO_ROOT) -> Iterator[dict[str, list[str]]]:
    """The pack and its config (the stack's exemptions made advisory) for preview and up."""
    try:
        config = pack_config(from_stack_config(stack_file(stack, work_dir)))
    except ExemptionError as error:
        raise DriverError(str(error)) from None
    with tempfile.TemporaryDirectory(prefix="shop3d-policy-") as tmp:
        path = Path(tmp) / "policy-config.json"
        path.write_text(json.dumps(config, indent=2, sort_keys=True))
        yield {"policy_packs": [str(POLICY_PACK)], "policy_pack_configs": [str(path)]}


def changed(metadata: Any) -> Change | None:
    """A Change for a resource step that is not a no-op."""
    op = str(getattr(metadata.op, "value", metadata.op))
    if op in UNCHANGED_OPS:
        return None
    return Change(metadata.urn, metadata.type, op, tuple(metadata.diffs or ()))


def change_counts(summary: Any) -> dict[str, int]:
    counts = getattr(summary, "resource_changes", summary) or {}
    return {str(getattr(k, "value", k)): int(v) for k, v in dict(counts).items()}


# --- operations -----------------------------------------------------------------------------


@dataclass
class Driver:
    open_stack: OpenStack
    which: Which = shutil.which
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    ensure_artifacts: Callable[[], list[str]] = field(default=lambda: [])
    work_dir: Path = REPO_ROOT
    on_output: Callable[[str], None] = print
    # Checked before `up` (never before preview: a preview changes nothing in the account).
    preflight: Preflight = field(default=lambda stack: ("", False))

    def _open(
        self, stack: str, *, create: bool, local_backend: Path | None, backend_url: str | None
    ) -> StackHandle:
        stack_file(stack, self.work_dir)
        find_cli(self.which)
        env = backend_env(local_backend, backend_url, self.environ)
        return self.open_stack(StackRequest(stack, self.work_dir, env, create))

    def _with_policy(
        self,
        stack: str,
        local_backend: Path | None,
        backend_url: str | None,
        operation: Callable[[StackHandle, dict[str, list[str]]], Any],
    ) -> Any:
        """Open (or create) the stack, make sure the artifacts exist, run with the pack."""
        handle = self._open(
            stack, create=True, local_backend=local_backend, backend_url=backend_url
        )
        self.ensure_artifacts()
        with policy_args(stack, self.work_dir) as policy:
            return operation(handle, policy)

    def preview(
        self, stack: str, local_backend: Path | None = None, backend_url: str | None = None
    ) -> Outcome:
        def preview(handle: StackHandle, policy: dict[str, list[str]]) -> Any:
            return handle.preview(on_output=self.on_output, diff=True, **policy)

        result = self._with_policy(stack, local_backend, backend_url, preview)
        return Outcome("preview", stack, changes=change_counts(result.change_summary))

    def up(
        self, stack: str, local_backend: Path | None = None, backend_url: str | None = None
    ) -> Outcome:
        def up(handle: StackHandle, policy: dict[str, list[str]]) -> Any:
            return handle.up(on_output=self.on_output, **policy)

        # What needs no AWS first: a wrong stack name or a missing CLI says so before the
        # preflight asks the account anything.
        stack_file(stack, self.work_dir)
        find_cli(self.which)
        text, blocked = self.preflight(stack)
        if text:
            self.on_output(text)
        if blocked:
            raise DriverError(
                f"preflight: the account is not ready for {stack!r} (see the fixes above); "
                f"re-check with ./shop3d preflight {stack}",
                Exit.PREFLIGHT,
            )

        result = self._with_policy(stack, local_backend, backend_url, up)
        outputs = {k: getattr(v, "value", v) for k, v in dict(result.outputs or {}).items()}
        return Outcome("up", stack, changes=change_counts(result.summary), outputs=outputs)

    def drift(
        self, stack: str, local_backend: Path | None = None, backend_url: str | None = None
    ) -> Outcome:
        """Refresh preview, expecting no changes: what the cloud has that the state does not."""
        handle = self._open(
            stack, create=False, local_backend=local_backend, backend_url=backend_url
        )
        drifted: list[Change] = []

        def collect(event: Any) -> None:
            pre = getattr(event, "resource_pre_event", None)
            if pre is not None and (change := changed(pre.metadata)) is not None:
                drifted.append(change)

        outcome = Outcome("drift", stack, drifted=drifted)
        try:
            result = handle.preview_refresh(
                expect_no_changes=True, on_event=collect, on_output=self.on_output
            )
            outcome.changes = change_counts(result.change_summary)
        except Exception as error:  # the CLI fails the run when changes were not expected
            if not drifted:
                outcome.error = str(error).strip() or type(error).__name__
        return outcome

    def destroy(
        self,
        stack: str,
        yes_destroy_prod: bool = False,
        local_backend: Path | None = None,
        backend_url: str | None = None,
    ) -> Outcome:
        if is_production(stack, self.work_dir) and not yes_destroy_prod:
            raise DriverError(
                f"refusing to destroy production stack {stack!r}: pass --yes-destroy-prod "
                "if that is really what you want",
                Exit.REFUSED,
            )
        handle = self._open(
            stack, create=False, local_backend=local_backend, backend_url=backend_url
        )
        result = handle.destroy(on_output=self.on_output)
        return Outcome("destroy", stack, changes=change_counts(result.summary))


def exit_code(outcome: Outcome) -> Exit:
    if outcome.error is not None:
        return Exit.ERROR
    if outcome.operation == "drift" and outcome.drifted:
        return Exit.DRIFT
    return Exit.OK


def drift_report(
    outcome: Outcome, now: datetime | None = None, code: Exit | None = None
) -> dict[str, Any]:
    return {
        "stack": outcome.stack,
        "checked_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "drift": bool(outcome.drifted),
        "error": outcome.error,
        "exit_code": int(code if code is not None else exit_code(outcome)),
        "changes": [
            {"urn": c.urn, "type": c.type, "op": c.op, "diffs": list(c.diffs)}
            for c in outcome.drifted
        ],
    }


def write_report(path: Path, report: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")


# --- the real workspace layer --------------------------------------------------------------


def automation_stack(request: StackRequest) -> StackHandle:
    """pulumi.automation over the CLI, with the repository's project (Pulumi.yaml)."""
    from pulumi import automation as auto

    options = auto.LocalWorkspaceOptions(work_dir=str(request.work_dir), env_vars=dict(request.env))
    open_ = auto.create_or_select_stack if request.create else auto.select_stack
    stack = open_(request.name, work_dir=str(request.work_dir), opts=options)
    return cast(StackHandle, stack)  # Stack's keyword-rich methods satisfy the protocol


def build_missing_artifacts() -> list[str]:
    """Rebuild dependency layers recorded in the build record but absent from build/."""
    from ci.build_artifacts import build, missing_layers

    missing = missing_layers()
    for key in missing:
        handler, architecture = key.split("/")
        build([handler], [architecture])  # type: ignore[list-item]
    return missing


def account_preflight(stack: str) -> tuple[str, bool]:
    """`./shop3d preflight <stack>` against the account the credentials reach."""
    from preflight.__main__ import preflight_checks
    from preflight.account import AwsAccount
    from preflight.checks import report

    checks = preflight_checks(stack, AwsAccount())
    return report(checks), any(c.blocks for c in checks)


def default_driver() -> Driver:
    return Driver(
        open_stack=automation_stack,
        ensure_artifacts=build_missing_artifacts,
        preflight=account_preflight,
    )


def run(
    driver: Driver,
    operation: Operation,
    stack: str,
    *,
    report: Path | None = None,
    yes_destroy_prod: bool = False,
    local_backend: Path | None = None,
    backend_url: str | None = None,
) -> Exit:
    """Run one operation and turn its outcome (or refusal) into an exit code."""
    try:
        if operation == "destroy":
            outcome = driver.destroy(stack, yes_destroy_prod, local_backend, backend_url)
        else:
            outcome = getattr(driver, operation)(stack, local_backend, backend_url)
    except DriverError as error:
        driver.on_output(f"error: {error}")
        if operation == "drift":  # CI still gets a report saying why nothing was checked
            failed = Outcome("drift", stack, error=str(error))
            write_report(
                report or Path(f"drift-{stack}.json"), drift_report(failed, code=error.code)
            )
        return error.code
    if operation == "drift":
        path = report or Path(f"drift-{stack}.json")
        write_report(path, drift_report(outcome))
        state = "drift" if outcome.drifted else ("error" if outcome.error else "no drift")
        driver.on_output(f"{stack}: {state}; report in {path}")
    elif outcome.changes:
        driver.on_output(f"{stack} {operation}: {json.dumps(outcome.changes, sort_keys=True)}")
    return exit_code(outcome)
