"""Run the Pulumi program under Pulumi's mock runtime and record what it registers.

This is the harness of the unit tests and the engine of `plan`: the real __main__.py runs with
the config of Pulumi.<stack>.yaml (plus overrides), no CLI, no credentials, no network.
"""

from __future__ import annotations

import asyncio
import json
import runpy
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.artifacts import BUILDS_OPTIONAL
from offline.mocks import OfflineMocks
from policy import tokens as t
from stack_config.keys import NAMESPACE, qualified

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "shop3d"
AWS_PROVIDER = t.AWS_PROVIDER
# Where mocks place a resource that has no AWS provider (random passwords, components).
DEFAULT_REGION = "us-east-1"
# Runs share the Pulumi runtime's global settings: one at a time.
_RUN_LOCK = threading.Lock()


@dataclass(frozen=True)
class RecordedResource:
    type_: str
    name: str
    urn: str
    inputs: dict[str, Any]
    provider: str | None
    parent: str | None
    custom: bool
    protect: bool
    ignore_changes: tuple[str, ...]
    dependencies: tuple[str, ...]
    region: str | None


class ProgramFailed(Exception):
    """The program raised: the message is the program's own error; `resources` are those it
    had registered before failing (none, when config validation comes first)."""

    def __init__(self, cause: BaseException, resources: list[RecordedResource]) -> None:
        super().__init__(str(cause))
        self.resources = resources


@dataclass
class ProgramRun:
    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type_ == type_]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self) -> dict[str, RecordedResource]:
        return {r.urn: r for r in self.resources}

    def children_of(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == urn]


def stack_config(stack: str, overrides: Mapping[str, object] | None = None) -> dict[str, str]:
    """The engine's view of a stack's config: `Pulumi.<stack>.yaml` values, with `shop3d:`
    overrides applied (keys given without the namespace), checked and completed against
    Pulumi.yaml's declarations as the CLI does (undeclared keys refused, defaults filled in),
    then turned into strings (lists and maps as JSON)."""
    path = ROOT / f"Pulumi.{stack}.yaml"
    if not path.exists():
        raise FileNotFoundError(
            f"no stack file {path.name}; stacks: "
            + ", ".join(p.name for p in sorted(ROOT.glob("Pulumi.*.yaml")))
        )
    raw: dict[str, object] = dict((yaml.safe_load(path.read_text()) or {}).get("config") or {})
    for key, value in (overrides or {}).items():
        raw[qualified(key)] = value
    declared = (yaml.safe_load((ROOT / "Pulumi.yaml").read_text()) or {}).get("config") or {}
    undeclared = sorted(k for k in raw if k.startswith(qualified("")) and k not in declared)
    if undeclared:
        raise ValueError(
            f"Stack '{stack}' uses configuration value(s) {', '.join(undeclared)} "
            "which are not defined by the project configuration (Pulumi.yaml)"
        )
    for key, declaration in declared.items():
        if key not in raw:
            if "default" not in declaration:
                raise ValueError(f"Stack '{stack}' is missing configuration value '{key}'")
            raw[key] = declaration["default"]
    return {k: _engine_string(v) for k, v in raw.items() if v is not None}


def _engine_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: OfflineMocks) -> None:
        super().__init__(mocks)
        self.records: list[RecordedResource] = []
        self.provider_regions: dict[str, str] = {}
        # The AWS provider of the registration in progress on this thread: remote components
        # (awsx) get theirs through the `providers` map, which the mocks never see.
        self._registering = threading.local()

    def region_of(self, provider_ref: str | None) -> str:
        # A provider reference is "<provider urn>::<provider id>".
        provider_ref = provider_ref or getattr(self._registering, "aws_provider", None)
        if not provider_ref:
            return DEFAULT_REGION
        return self.provider_regions.get(provider_ref.rsplit("::", 1)[0], DEFAULT_REGION)

    def RegisterResource(self, request: Any) -> Any:
        aws_provider = request.provider or dict(request.providers).get("aws") or None
        self._registering.aws_provider = aws_provider
        try:
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        finally:
            self._registering.aws_provider = None
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = rpc.deserialize_properties(request.object)
        if request.type == AWS_PROVIDER and inputs.get("region"):
            self.provider_regions[response.urn] = inputs["region"]
        provider = request.provider or None
        region = (
            inputs.get("region") if request.type == AWS_PROVIDER else self._region_for(aws_provider)
        )
        self.records.append(
            RecordedResource(
                type_=request.type,
                name=request.name,
                urn=response.urn,
                inputs=_plain(inputs),
                provider=provider,
                parent=request.parent or None,
                custom=bool(request.custom),
                protect=bool(request.protect),
                ignore_changes=tuple(request.ignoreChanges),
                dependencies=tuple(request.dependencies),
                region=region,
            )
        )
        return response

    def _region_for(self, provider: str | None) -> str | None:
        if provider is None:
            return None
        urn = provider.rsplit("::", 1)[0]
        return self.provider_regions.get(urn)


def _plain(value: Any) -> Any:
    """Inputs as plain Python values (resource references become their URN)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return getattr(value, "_urn_value", repr(value))
    return value


def run_program(stack: str = "dev", overrides: Mapping[str, object] | None = None) -> ProgramRun:
    """Run __main__.py for `stack` under mocks; return every registered resource and the
    stack outputs. Config errors propagate as the program raises them."""
    config = stack_config(stack, overrides)
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["run"] = _run_in_fresh_context(stack, config)
        except BaseException as error:
            result["error"] = error

    with _RUN_LOCK:
        # A new thread starts with empty context variables: no root stack or config left
        # over from an earlier run.
        thread = threading.Thread(target=target, name=f"pulumi-offline-{stack}")
        thread.start()
        thread.join()
    if "error" in result:
        raise result["error"]
    run: ProgramRun = result["run"]
    return run


def _run_in_fresh_context(stack: str, config: dict[str, str]) -> ProgramRun:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return _run(stack, config)
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def _run_path(program: str) -> None:
    runpy.run_path(program, run_name="__main__")


def _run(stack: str, config: dict[str, str]) -> ProgramRun:
    pulumi.runtime.set_all_config(config)
    holder: dict[str, _RecordingMonitor] = {}
    mocks = OfflineMocks(lambda ref: holder["monitor"].region_of(ref))
    monitor = _RecordingMonitor(mocks)
    holder["monitor"] = monitor
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    program = str(ROOT / "__main__.py")
    # Mocks never read the built zips: a fresh clone (only the build record) runs the program.
    BUILDS_OPTIONAL.set(True)
    try:
        _sync_await(run_pulumi_func(lambda: _run_path(program)))
    except Exception as error:
        raise ProgramFailed(error, list(monitor.records)) from error
    root = pulumi.runtime.get_root_resource()
    outputs: dict[str, Any] = {}
    for name, value in dict(getattr(root, "outputs", {}) or {}).items():
        outputs[name] = _sync_await(pulumi.Output.from_input(value).future())
    return ProgramRun(stack=stack, resources=list(monitor.records), outputs=outputs)


__all__ = [
    "NAMESPACE",
    "ProgramFailed",
    "ProgramRun",
    "RecordedResource",
    "run_program",
    "stack_config",
]
