"""The cart's Powertools Tracer (X-Ray), set up so that the cold start pays only for what it uses.

- In a Lambda runtime it is Powertools' X-Ray provider, patching botocore only. Patching every
  supported library (the default) imports psycopg and requests into every cold start, and the
  SDK's psycopg patch needs psycopg_pool (not installed: it fails half-way). Checkout is traced
  as its own subsegment instead (`tracer.capture_method`).
- Outside a Lambda runtime (tests, the local platform) Powertools disables tracing, yet its
  default provider still imports the X-Ray SDK, whose recorder builds an X-Ray API client at
  import (about 100 ms, for nothing). There the Tracer gets a provider that records nothing.
"""

from __future__ import annotations

import numbers
import os
import traceback
from collections.abc import AsyncGenerator, Generator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.shared import constants
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

EAGER_PATCHES = ("botocore",)


class _UnrecordedSegment(BaseSegment):
    def close(self, end_time: int | None = None) -> None:
        pass

    def add_subsegment(self, subsegment: Any) -> None:
        pass

    def remove_subsegment(self, subsegment: Any) -> None:
        pass

    def put_annotation(self, key: str, value: str | numbers.Number | bool) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def add_exception(
        self, exception: BaseException, stack: list[traceback.StackSummary], remote: bool = False
    ) -> None:
        pass


class _NoRecording(BaseProvider):
    """What Powertools' disabled X-Ray provider amounts to, without importing the X-Ray SDK."""

    @contextmanager
    def in_subsegment(self, name: Any = None, **kwargs: Any) -> Generator[BaseSegment, None, None]:
        yield _UnrecordedSegment()

    @asynccontextmanager
    async def in_subsegment_async(
        self, name: Any = None, **kwargs: Any
    ) -> AsyncGenerator[BaseSegment, None]:
        yield _UnrecordedSegment()

    def put_annotation(self, key: str, value: str | numbers.Number | bool) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def patch(self, modules: Sequence[str]) -> None:
        pass

    def patch_all(self) -> None:
        pass


def in_lambda_runtime() -> bool:
    """Powertools' own test: outside a Lambda runtime it disables tracing."""
    return bool(os.getenv(constants.LAMBDA_TASK_ROOT_ENV))


tracer = Tracer(
    service="cart",
    patch_modules=EAGER_PATCHES,
    provider=None if in_lambda_runtime() else _NoRecording(),
)
