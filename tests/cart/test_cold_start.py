"""What the Lambda module loads at import (fresh interpreters): the cold start pays only for what
every request needs. Timings live in bench/cart; these check the loaded modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from handlers.shared import env

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
import handlers.cart.api.lambda_entry
loaded = {name: name in sys.modules for name in json.loads(sys.argv[1])}
import botocore.client
call = botocore.client.BaseClient.__dict__["_make_api_call"]
loaded["botocore traced"] = type(call).__name__ == "FunctionWrapper"  # X-Ray's wrapt patch
print(json.dumps(loaded))
"""
LAZY = [
    "aws_xray_sdk.core",
    "psycopg",
    "requests",
    # pydantic is not here: the resolver validates bodies against the routes' models and
    # generates the OpenAPI document from them (Powertools' enable_validation), which needs
    # the models at import. bench/cart reports what that costs the cold start.
    "jwt",
    "aws_lambda_powertools.utilities.idempotency",
]


def _loaded_at_import(lambda_runtime: bool) -> dict[str, bool]:
    environ = {
        **os.environ,
        "AWS_REGION": "us-east-1",
        env.CATALOG_TABLE: "catalog",
        env.CARTS_TABLE: "carts",
        env.IDEMPOTENCY_TABLE: "idempotency",
        env.CART_COOKIE_KEY: "k" * 48,
    }
    environ.pop("LAMBDA_TASK_ROOT", None)
    if lambda_runtime:
        environ.update({"LAMBDA_TASK_ROOT": str(REPO), "AWS_LAMBDA_FUNCTION_NAME": "shop3d-cart"})
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(LAZY)],
        env=environ,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, bool] = json.loads(out.stdout)
    return loaded


def test_outside_lambda_nothing_lazy_is_imported_and_tracing_stays_off():
    loaded = _loaded_at_import(lambda_runtime=False)
    assert loaded == {**dict.fromkeys(LAZY, False), "botocore traced": False}


def test_in_lambda_the_xray_sdk_traces_botocore_and_patches_nothing_else():
    loaded = _loaded_at_import(lambda_runtime=True)
    assert loaded == {
        **dict.fromkeys(LAZY, False),
        "aws_xray_sdk.core": True,
        "botocore traced": True,
    }
