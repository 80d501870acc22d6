"""The program under Pulumi's mock runtime, each (stack, overrides) run once per session and
shared by every test that needs it (unit graph tests, the policy replay)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from offline.runner import ProgramRun, run_program

ProgramFactory = Callable[..., ProgramRun]


def memoized_runs() -> ProgramFactory:
    """`run("prod")` or `run("dev", {"regions": [...]})`: the recorded run, memoized (the
    program is deterministic for a given config, and a run takes seconds)."""
    cache: dict[str, ProgramRun] = {}

    def run(stack: str = "dev", overrides: Mapping[str, object] | None = None) -> ProgramRun:
        key = json.dumps([stack, overrides or {}], sort_keys=True)
        if key not in cache:
            cache[key] = run_program(stack, overrides)
        return cache[key]

    return run
