"""The ALB event and Lambda context the cart benchmark sends to lambda_handler (stdlib only: the
cold-start runs import this before timing starts)."""

from __future__ import annotations

import json
from typing import Any

TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/cart/bench"


class LambdaContext:
    function_name = "shop3d-cart"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:shop3d-cart"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def alb_event(
    method: str,
    path: str,
    token: str | None = None,
    body: Any = None,
    key: str | None = None,
) -> dict[str, Any]:
    """An ALB event; no token: a new guest (the handler sets a cart cookie)."""
    headers = {"host": "bench"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    if key is not None:
        headers["idempotency-key"] = key
    return {
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
        "httpMethod": method,
        "path": path,
        "queryStringParameters": {},
        "headers": headers,
        "body": "" if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }
