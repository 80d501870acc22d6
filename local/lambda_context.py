"""The Lambda context object handed to the real handlers: the attributes Powertools reads."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Final

from handlers.shared.functions import ASSET_TIMEOUT_SECONDS, CART_TIMEOUT_SECONDS
from local.resources import LOCAL_ACCOUNT_ID, LOCAL_REGION

# The cells' Lambda timeouts: Powertools idempotency reads the remaining time.
CART_TIMEOUT_S: Final = float(CART_TIMEOUT_SECONDS)
ASSET_TIMEOUT_S: Final = float(ASSET_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class LocalLambdaContext:
    function_name: str
    timeout_s: float
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started_at: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{LOCAL_REGION}:{LOCAL_ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started_at
        return max(0, int((self.timeout_s - elapsed) * 1000))
