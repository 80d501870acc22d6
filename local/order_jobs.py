"""The order jobs on a timer: what EventBridge Scheduler does in AWS (every minute), run by the
local platform in a thread, calling the same handler code (handlers.cart.jobs_lambda.run_jobs)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final

# Locally more often than AWS's minute: an expiry shows within seconds of its deadline.
DEFAULT_INTERVAL_S: Final = 10.0


class OrderJobsTimer:
    def __init__(self, run: Callable[[], object], interval_s: float = DEFAULT_INTERVAL_S) -> None:
        self._run = run
        self._interval_s = interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="order-jobs", daemon=True)
        self.runs = 0
        self.error: BaseException | None = None  # the last failure; the next tick tries again

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._interval_s + 5)

    def _loop(self) -> None:
        while not self._stopped.wait(self._interval_s):
            try:
                self._run()
                self.error = None
            except Exception as error:  # a database restart, say: logged by the caller's check
                self.error = error
            self.runs += 1
