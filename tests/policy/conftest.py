"""The program's recorded runs, replayed through the pack: one run per stack per session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from offline.runner import run_program
from policy.model import Stack
from tests.policy.replay import to_stack


@pytest.fixture(scope="session")
def replayed() -> Callable[[str], Stack]:
    cache: dict[str, Stack] = {}

    def get(stack: str) -> Stack:
        if stack not in cache:
            cache[stack] = to_stack(run_program(stack))
        return cache[stack]

    return get
