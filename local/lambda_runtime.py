"""What the Lambda runtime hands a handler: the context object and the event shapes (ALB, SQS,
S3 records). One set, used by the local platform, the tests and the benchmarks.

Standard library only (and handlers.shared.functions): the cart's cold-start benchmark imports
this before it starts timing, so nothing here may pull in boto3 or Powertools.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from handlers.shared.functions import (
    ASSET_TIMEOUT_SECONDS,
    CART_TIMEOUT_SECONDS,
    NOTIFICATIONS_MEMORY_MB,
    NOTIFICATIONS_TIMEOUT_SECONDS,
)

# moto's default account and the local platform's one region.
REGION: Final = "us-east-1"
ACCOUNT_ID: Final = "123456789012"
TARGET_GROUP_ARN: Final = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/cart/0"
# The cells' Lambda timeouts: Powertools idempotency reads the remaining time.
CART_TIMEOUT_S: Final = float(CART_TIMEOUT_SECONDS)
ASSET_TIMEOUT_S: Final = float(ASSET_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class LambdaContext:
    """The attributes of the Lambda context object that the handlers and Powertools read."""

    function_name: str = "shop3d-cart"
    timeout_s: float = CART_TIMEOUT_S
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started_at: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started_at
        return max(0, int((self.timeout_s - elapsed) * 1000))


def asset_context() -> LambdaContext:
    return LambdaContext("shop3d-asset", ASSET_TIMEOUT_S, memory_limit_in_mb=3008)


def notifications_context() -> LambdaContext:
    return LambdaContext(
        "shop3d-notifications",
        float(NOTIFICATIONS_TIMEOUT_SECONDS),
        memory_limit_in_mb=NOTIFICATIONS_MEMORY_MB,
    )


def alb_event(
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    body: str | bytes = "",
    query: Mapping[str, str] | None = None,
    binary: bool | None = None,
) -> dict[str, Any]:
    """The event an ALB sends its Lambda target with multi-value headers off: lower-case header
    names (the last of a repeated header wins), query values as sent (not URL-decoded).

    A bytes body is base64-encoded when `binary` is true, or (`binary=None`) when it is not
    UTF-8, as ALB does for binary content."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    sent = {name.lower(): value for name, value in pairs}
    if isinstance(body, bytes):
        if binary is None:
            try:
                body.decode("utf-8")
                binary = False
            except UnicodeDecodeError:
                binary = True
        text = base64.b64encode(body).decode("ascii") if binary else body.decode("utf-8")
    else:
        text, binary = body, False
    return {
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP_ARN}},
        "httpMethod": method,
        "path": path,
        "queryStringParameters": dict(query or {}),
        "headers": sent,
        "body": text,
        "isBase64Encoded": bool(binary),
    }


def sqs_record(
    body: str | Mapping[str, Any],
    queue_arn: str = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:upload-events",
    *,
    message_id: str | None = None,
    receipt_handle: str = "receipt",
    attributes: Mapping[Any, Any] | None = None,
    message_attributes: Mapping[Any, Any] | None = None,
) -> dict[str, Any]:
    """One record of the event Lambda builds from an SQS message."""
    text = body if isinstance(body, str) else json.dumps(body)
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": receipt_handle,
        "body": text,
        "attributes": dict(attributes or {}),
        "messageAttributes": dict(message_attributes or {}),
        "md5OfBody": hashlib.md5(text.encode()).hexdigest(),  # noqa: S324 (SQS's checksum)
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


def sqs_event(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return {"Records": [dict(record) for record in records]}


def s3_record(bucket: str, raw_key: str, version_id: str, sequencer: str = "0A") -> dict[str, Any]:
    """An S3 ObjectCreated record as S3 sends it to SQS: the key stays URL-encoded."""
    return {
        "eventName": "ObjectCreated:Put",
        "s3": {
            "bucket": {"name": bucket},
            "object": {"key": raw_key, "versionId": version_id, "sequencer": sequencer},
        },
    }


def json_api_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """An ALB event of a JSON API call; no token: a new guest."""
    headers = {"host": "shop.example", "content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    if idempotency_key is not None:
        headers["idempotency-key"] = idempotency_key
    return alb_event(method, path, headers=headers, body="" if body is None else json.dumps(body))
