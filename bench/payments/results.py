"""The payments benchmark's figures as data: `bench_payments --write-docs` saves one run to
bench/payments/results.json and writes their rendering into docs/payments.md between markers;
tests/unit/test_bench_docs.py renders the committed results again and compares.

Judged here, from the figures: the webhook applies its event in one PostgreSQL transaction
(the processed-event record and the order change together) and sends nothing to Stripe;
checkout makes one Stripe request (the PaymentIntent create) and paying three (token read,
update, confirm: what localstripe needs, see docs/payments.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from offline.doc_blocks import DOCS, CommittedResults, GeneratedBlock, targets_table

RESULTS = Path(__file__).resolve().parent / "results.json"
COMMAND = "python -m bench.payments.bench_payments --write-docs"
BLOCK = GeneratedBlock(DOCS / "payments.md", "payments-bench", COMMAND)
# Each call of the shop and the raw Stripe calls that do its Stripe work (the webhook: none).
STRIPE_PEERS = {
    "checkout": "raw intent create",
    "pay": "raw token read + update + confirm",
    "webhook": None,
    "order read": None,
}
ROUND_TRIP_ROWS = ("checkout", "pay", "webhook", "order read")


def _dynamodb(counts: dict[str, int]) -> str:
    if not counts:
        return "none"
    return ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))


def _run(results: dict[str, Any]) -> str:
    before, after = results["load_average_before_after"]
    return (
        f"One run of `python -m bench.payments.bench_payments --iterations "
        f"{results['iterations']}` on {results['date']}, {results['cpus']} cores with other "
        f"work running (1-minute load average {before:.1f}, {after:.1f}, before and after): the "
        "real lambda_handler on ALB events against DynamoDB Local, PostgreSQL, moto and "
        "localstripe."
    )


def render(results: dict[str, Any]) -> str:
    latency, trips = results["latency_ms"], results["round_trips"]
    lines = [
        _run(results),
        "",
        "Round trips of one call, counted where they leave the process:",
        "",
        "| call | DynamoDB requests | SQL statements | SQL transactions | Stripe requests |",
        "|---|---|---|---|---|",
    ]
    for name in ROUND_TRIP_ROWS:
        row = trips[name]
        lines.append(
            f"| {name} | {_dynamodb(row['dynamodb'])} | {row['sql_statements']} | "
            f"{row['sql_transactions']} | {row['stripe_requests']} |"
        )
    get_item, select_one = latency["raw DynamoDB GetItem"][0], latency["raw PostgreSQL SELECT 1"][0]
    lines += [
        "",
        "Latency beside the raw calls: each call's floor is its round trips above made raw, one "
        f"after the other (DynamoDB GetItem p50 {get_item:.2f} ms each, PostgreSQL `SELECT 1` "
        f"p50 {select_one:.2f} ms each, and the raw Stripe calls named).",
        "",
        "| call | p50 / p99 ms | raw Stripe calls | raw Stripe p50 ms | round-trip floor ms "
        "| p50 ratio |",
        "|---|---|---|---|---|---|",
    ]
    floors = {}
    for name, peer in STRIPE_PEERS.items():
        row = trips[name]
        stripe_ms = latency[peer][0] if peer else 0.0
        floors[name] = (
            sum(row["dynamodb"].values()) * get_item
            + row["sql_statements"] * select_one
            + stripe_ms
        )
        (c50, c99) = latency[name]
        lines.append(
            f"| {name} | {c50:.1f} / {c99:.1f} | {peer or 'none'} | {stripe_ms:.1f} | "
            f"{floors[name]:.1f} | {c50 / floors[name]:.1f}x |"
        )
    (p50, p99) = latency["checkout-to-paid"]
    floor = sum(floors.values())
    lines += [
        f"| checkout-to-paid | {p50:.1f} / {p99:.1f} | all of the above | | {floor:.1f} | "
        f"{p50 / floor:.1f}x |",
        "",
        "Checkout-to-paid is checkout, pay, the signed webhook and the order read showing PAID, "
        "back to back; Stripe's delivery delay is not in it (localstripe waits about 1 s before "
        "sending; Stripe's own is not measurable here).",
        "",
    ]
    webhook, checkout, pay = trips["webhook"], trips["checkout"], trips["pay"]
    lines += targets_table(
        [
            (
                "the webhook applies its event in one SQL transaction, no Stripe request",
                webhook["sql_transactions"] == 1 and webhook["stripe_requests"] == 0,
                f"{webhook['sql_transactions']} transaction, {webhook['stripe_requests']} "
                "Stripe requests",
            ),
            (
                "checkout makes one Stripe request (the PaymentIntent)",
                checkout["stripe_requests"] == 1,
                f"{checkout['stripe_requests']}",
            ),
            (
                "paying makes three Stripe requests (token read, update, confirm)",
                pay["stripe_requests"] == 3,
                f"{pay['stripe_requests']}",
            ),
        ]
    )
    return "\n".join(lines)


COMMITTED = CommittedResults(RESULTS, BLOCK, render)
