"""Start-up progress on the terminal: one line when a step starts, one when it ends."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    def __init__(self, out: TextIO = sys.stdout) -> None:
        self._out = out
        self._started = time.monotonic()

    def line(self, text: str) -> None:
        elapsed = time.monotonic() - self._started
        self._out.write(f"[{elapsed:6.1f}s] {text}\n")
        self._out.flush()

    @contextmanager
    def step(self, what: str) -> Iterator[list[str]]:
        """Report `what`, run the block, report how long it took; the block may append a
        detail to the yielded list (e.g. the endpoint it started)."""
        self.line(f"{what} ...")
        started = time.monotonic()
        details: list[str] = []
        try:
            yield details
        except BaseException:
            self.line(f"{what}: FAILED")
            raise
        detail = f": {'; '.join(details)}" if details else ""
        self.line(f"{what}: done in {time.monotonic() - started:.1f} s{detail}")
