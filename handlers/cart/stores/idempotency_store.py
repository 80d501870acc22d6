"""`Idempotency-Key` for mutating requests, on Powertools idempotency (per-region table).

The record key is the owner's cart id plus the client's key, so one shopper's key never
replays another's response. The method, path and body are the validated payload: a replay
returns the first response; the same key with another request answers 422; a duplicate that
arrives while the first is still running answers 409.

Powertools idempotency is imported when the first keyed request arrives, not at cold start.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handlers.cart.api.problems import Problem, bad_request, conflict
from handlers.cart.limits import IDEMPOTENCY_KEY_MAX_LENGTH, IDEMPOTENCY_TTL_SECONDS
from handlers.shared.tables import IDEMPOTENCY

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

HEADER = "idempotency-key"
_KEY = re.compile(rf"^[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}$")  # visible ASCII

Reply = dict[str, Any]  # {"status": int, "body": ..., "cookie": str | None}


@dataclass(frozen=True)
class Request:
    """What a replay must match: the owner scopes the key; method, path and body are checked."""

    owner: str
    method: str
    path: str
    body: str


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise bad_request(
            f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters"
        )
    return key


class Idempotency:
    def __init__(self, dynamodb: Any, table: str) -> None:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        store = DynamoDBPersistenceLayer(
            table_name=table,
            key_attr=IDEMPOTENCY.hash_key.name,
            expiry_attr=IDEMPOTENCY.ttl_attribute or "expiration",
            boto3_client=dynamodb,
        )
        config = IdempotencyConfig(
            event_key_jmespath="[owner, key]",
            payload_validation_jmespath="[method, path, body]",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
        )

        @idempotent_function(  # type: ignore[untyped-decorator]
            data_keyword_argument="request",
            persistence_store=store,
            config=config,
            key_prefix="shop3d-cart",
        )
        def once(*, request: dict[str, Any], compute: Callable[[], Reply]) -> Reply:
            return compute()

        self._once = once
        self._config = config

    def run(
        self,
        key: str,
        request: Request,
        compute: Callable[[], Reply],
        context: LambdaContext | None = None,
    ) -> Reply:
        """`compute` once per (owner, key). The invocation's `context` lets an in-progress
        record expire with it (a crash must not block the key until the record's TTL)."""
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        if context is not None:
            self._config.register_lambda_context(context)
        payload = {
            "owner": request.owner,
            "key": check_key(key),
            "method": request.method,
            "path": request.path,
            "body": request.body,
        }
        try:
            reply: Reply = self._once(request=payload, compute=compute)
        except IdempotencyValidationError:
            raise Problem(
                422,
                "idempotency-key-reused",
                "this Idempotency-Key was used with a different request; use a new key",
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise conflict(
                "a request with this Idempotency-Key is still in progress; retry later"
            ) from None
        except IdempotencyPersistenceLayerError:
            # Errors raised by `compute` pass through unwrapped; this is the store failing.
            raise Problem(
                503, "idempotency-unavailable", "the idempotency store is unavailable; retry"
            ) from None
        return reply
