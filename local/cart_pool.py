"""The cart Lambda in a pool of worker processes, as several Lambda containers serve one function:
each worker imports the real handler once (its Powertools decorators included) and answers one
ALB event at a time, so two requests at once are two processes racing on the same tables, as in
AWS, not two threads taking turns behind a lock.

Workers are spawned (not forked: the parent runs threads) with the parent's environment at the
time the pool starts, which is how the handler gets its configuration. They ignore SIGINT: the
parent stops them.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Final

from local.lambda_runtime import LambdaContext

CART_MODULE: Final = "handlers.cart.api.lambda_entry"
DEFAULT_WORKERS: Final = 2
MAX_WORKERS: Final = 10  # a new account's Lambda concurrency per region

_handler: Any = None  # in each worker: the imported lambda_handler


def _start_worker() -> None:
    global _handler
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from handlers.cart.settings import Settings
    from handlers.cart.wiring import Services

    entry = importlib.import_module(CART_MODULE)
    entry.use_services(Services.from_settings(Settings.from_env()))  # checked now, not later
    _handler = entry.lambda_handler


def _invoke(event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = _handler(event, LambdaContext())
    return response


def _ready() -> bool:
    return _handler is not None


class CartPool:
    """`await pool.invoke(event)` runs the cart handler on an ALB event in a free worker."""

    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError(f"the cart runs in 1 to {MAX_WORKERS} worker processes, not {workers}")
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
        )

    def warm(self) -> None:
        """Start every worker and import the handler in each now, not on the first request
        (an import error then stops the platform at start instead of answering 502s)."""
        for ready in [self._executor.submit(_ready) for _ in range(self.workers)]:
            assert ready.result()

    async def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, _invoke, event)

    def stop(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
