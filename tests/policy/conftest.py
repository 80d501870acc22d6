"""The program's recorded runs, replayed through the pack: the session's shared runs (the
`program` fixture), converted once per stack."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policy.model import Stack
from tests.policy.replay import to_stack
from tests.programs import ProgramFactory


@pytest.fixture(scope="session")
def replayed(program: ProgramFactory) -> Callable[[str], Stack]:
    cache: dict[str, Stack] = {}

    def get(stack: str) -> Stack:
        if stack not in cache:
            cache[stack] = to_stack(program(stack))
        return cache[stack]

    return get
