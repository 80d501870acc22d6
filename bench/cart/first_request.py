"""One cold start in this fresh interpreter: `python -m bench.cart.first_request <case>` prints
the milliseconds from before the first import of the case's code to the end of its first
request. bench_cart runs each case many times, ours and raw alternating.

Cases (the table names, endpoints and SKU come from the environment bench_cart sets):
- import-app / import-boto3: the import alone;
- app-get / raw-get: a new guest's GET /api/cart, or boto3 importing, making its client and
  sending the same GetItem;
- app-add / raw-add: a new guest's POST /api/cart/items with an Idempotency-Key (product in the
  Redis cache), or boto3 sending the same PutItem, UpdateItem, UpdateItem plus redis-py's MGET.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable

from handlers.shared import env
from local.lambda_runtime import LambdaContext, json_api_event

SKU_ENV = "SHOP3D_BENCH_SKU"  # the benchmark's product, cached in Redis before the runs
CACHE_KEY_ENV = "SHOP3D_BENCH_CACHE_KEY"  # its catalog cache entry, which the raw add reads


def _app(method: str, path: str, body: object = None, key: str | None = None) -> None:
    import handlers.cart.api.lambda_entry as app

    reply = app.lambda_handler(
        json_api_event(method, path, body, idempotency_key=key), LambdaContext()
    )
    if reply["statusCode"] != 200:
        raise SystemExit(f"{method} {path} answered {reply['statusCode']}: {reply['body']}")


def app_get() -> None:
    _app("GET", "/api/cart")


def app_add() -> None:
    body = {"sku": os.environ[SKU_ENV], "quantity": 1}
    _app("POST", "/api/cart/items", body, uuid.uuid4().hex)


def _cart_key(cart_id: str) -> dict[str, dict[str, str]]:
    return {"cart_id": {"S": cart_id}, "line": {"S": "#cart"}}


def raw_get() -> None:
    import boto3

    boto3.client("dynamodb").get_item(
        TableName=os.environ[env.CARTS_TABLE],
        Key=_cart_key(f"guest#{uuid.uuid4().hex}"),
        ConsistentRead=True,
    )


def raw_add() -> None:
    import boto3
    import redis

    dynamodb = boto3.client("dynamodb")
    idempotency = {"id": {"S": uuid.uuid4().hex}}
    table = os.environ[env.IDEMPOTENCY_TABLE]
    dynamodb.put_item(
        TableName=table,
        Item={**idempotency, "status": {"S": "INPROGRESS"}},
        ConditionExpression="attribute_not_exists(id)",
    )
    redis.Redis.from_url(os.environ[env.REDIS_URL]).mget([os.environ[CACHE_KEY_ENV]])
    dynamodb.update_item(
        TableName=os.environ[env.CARTS_TABLE],
        Key=_cart_key(f"guest#{uuid.uuid4().hex}"),
        UpdateExpression="SET expires_at = :e ADD version :one, #q :q",
        ConditionExpression="attribute_not_exists(#q) OR #q <= :room",
        ExpressionAttributeNames={"#q": "qty#" + os.environ[SKU_ENV]},
        ExpressionAttributeValues={
            ":e": {"N": "1"},
            ":one": {"N": "1"},
            ":q": {"N": "1"},
            ":room": {"N": "98"},
        },
        ReturnValues="ALL_NEW",
    )
    dynamodb.update_item(
        TableName=table,
        Key=idempotency,
        UpdateExpression="SET #s = :done",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":done": {"S": "COMPLETED"}},
    )


def import_app() -> None:
    import handlers.cart.api.lambda_entry  # noqa: F401


def import_boto3() -> None:
    import boto3  # noqa: F401


CASES: dict[str, Callable[[], None]] = {
    "import-app": import_app,
    "import-boto3": import_boto3,
    "app-get": app_get,
    "raw-get": raw_get,
    "app-add": app_add,
    "raw-add": raw_add,
}


if __name__ == "__main__":
    case = CASES[sys.argv[1]]
    start = time.perf_counter()
    case()
    print(f"{(time.perf_counter() - start) * 1000:.3f}")
