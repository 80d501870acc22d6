"""The cart benchmark's figures as data: `bench_cart --write-docs` saves one run's results to
bench/cart/results.json and writes their rendering into docs/cart-service.md between markers;
tests/unit/test_bench_docs.py renders the committed results again and compares, byte for byte.

The targets are judged here, from the figures, never typed: add-to-cart is one cart write plus
the idempotency record, get-cart one read, p50 overhead at most 1.5x raw boto3 for every
endpoint that calls DynamoDB, the cold import at most 2x `import boto3`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from offline.doc_blocks import DOCS, CommittedResults, GeneratedBlock, targets_table

RESULTS = Path(__file__).resolve().parent / "results.json"
COMMAND = "python -m bench.cart.bench_cart --write-docs"
BLOCK = GeneratedBlock(DOCS / "cart-service.md", "cart-bench", COMMAND)
NO_CACHE, WARM = "no cache", "redis warm"
MAX_P50_RATIO = 1.5
MAX_IMPORT_RATIO = 2.0
# The order the bench runs and the docs list the endpoints in (JSON keeps no order).
ENDPOINTS = (
    "POST /api/cart/items",
    "GET /api/cart",
    "PUT /api/cart/items/{sku}",
    "DELETE /api/cart/items/{sku}",
    "GET /api/products/{sku}",
    "POST /api/checkout",
)
# The product read is served by Redis when warm: its raw peer is a Redis GET, not DynamoDB.
REDIS_ONLY = "GET /api/products/{sku}"


def _in_order(by_endpoint: dict[str, Any]) -> list[tuple[str, Any]]:
    rank = {name: index for index, name in enumerate(ENDPOINTS)}
    return sorted(by_endpoint.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def _calls(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    names = ", ".join(f"{op} x{n}" if n > 1 else op for op, n in sorted(counts.items()))
    return f"{total}: {names}" if names else "0"


def render(results: dict[str, Any]) -> str:
    counts, latency, cold = results["round_trips"], results["latency"], results["cold_ms"]
    loads = ", ".join(f"{one:.1f}" for one in results["load_average_before_after"])
    lines = [
        f"One run of `python -m bench.cart.bench_cart --iterations {results['iterations']} "
        f"--cold-runs {results['cold_runs']}` on {results['date']} against the same DynamoDB "
        f"Local, Redis and PostgreSQL ({results['cpus']} cores, other work running).",
        "",
        "| endpoint | DynamoDB round trips, no cache | with Redis warm |",
        "|---|---|---|",
        *(
            f"| `{name}` | {_calls(cold_cache)} | {_calls(counts[WARM][name])} |"
            for name, cold_cache in _in_order(counts[NO_CACHE])
        ),
        "",
        "(The BatchGetItem is the catalog read that prices the cart; Redis serves it when warm.)",
        "",
        "| endpoint | handler p50 / p99 ms | raw p50 / p99 ms | p50 ratio | raw call |",
        "|---|---|---|---|---|",
    ]
    ratios: dict[str, float] = {}
    for name, row in _in_order(latency):
        (h50, h99), (r50, r99) = row["handler"], row["raw"]
        ratios[name] = h50 / r50
        lines.append(
            f"| `{name}` | {h50:.2f} / {h99:.2f} | {r50:.2f} / {r99:.2f} | "
            f"{ratios[name]:.2f}x | {row['raw_call']} |"
        )
    boto3_ms = cold["import-boto3"]
    lines += [
        "",
        f"Cold start, median of {results['cold_runs']} fresh interpreters per row, rows "
        f"alternating (1-minute load average {loads}, before and after):",
        "",
        "| | ms | ratio |",
        "|---|---|---|",
        f"| `import handlers.cart.api.lambda_entry` in a Lambda environment (X-Ray SDK loaded, "
        f"botocore patched) | {cold['import-app (Lambda)']:.0f} | "
        f"{cold['import-app (Lambda)'] / boto3_ms:.2f}x `import boto3` ({boto3_ms:.0f}) |",
        f"| `import handlers.cart.api.lambda_entry` outside Lambda (tracing off) | "
        f"{cold['import-app']:.0f} | {cold['import-app'] / boto3_ms:.2f}x |",
        f"| import + first `GET /api/cart` (new guest, Lambda env) | "
        f"{cold['app-get (Lambda)']:.0f} | "
        f"{cold['app-get (Lambda)'] / cold['raw-get']:.2f}x raw: boto3 import + client + the "
        f"same calls ({cold['raw-get']:.0f}) |",
        f"| import + first `POST /api/cart/items` (Idempotency-Key, Lambda env) | "
        f"{cold['app-add (Lambda)']:.0f} | "
        f"{cold['app-add (Lambda)'] / cold['raw-add']:.2f}x raw: boto3 import + client + the "
        f"same calls ({cold['raw-add']:.0f}) |",
    ]
    add, get = counts[WARM]["POST /api/cart/items"], counts[WARM]["GET /api/cart"]
    dynamodb_ratios = {n: r for n, r in ratios.items() if n != REDIS_ONLY}
    worst = max(dynamodb_ratios, key=lambda n: dynamodb_ratios[n])
    import_ratio = cold["import-app (Lambda)"] / boto3_ms
    lines += [
        "",
    ]
    lines += targets_table(
        [
            (
                "add-to-cart is one cart write plus the idempotency record (Redis warm)",
                add.get("UpdateItem", 0) == 2 and sum(add.values()) == 3,
                _calls(add),
            ),
            ("get-cart is one read (Redis warm)", get == {"GetItem": 1}, _calls(get)),
            (
                f"p50 overhead at most {MAX_P50_RATIO:g}x raw boto3, every endpoint calling "
                "DynamoDB",
                dynamodb_ratios[worst] <= MAX_P50_RATIO,
                f"at most {dynamodb_ratios[worst]:.2f}x (`{worst}`)",
            ),
            (
                f"cold import at most {MAX_IMPORT_RATIO:g}x `import boto3` (Lambda environment)",
                import_ratio <= MAX_IMPORT_RATIO,
                f"{import_ratio:.2f}x",
            ),
        ]
    )
    return "\n".join(lines)


COMMITTED = CommittedResults(RESULTS, BLOCK, render)
