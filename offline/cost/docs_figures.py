"""The cost figures of docs/plan-and-cost.md, computed by the cost model and written between
markers by `./shop3d cost --write-docs` (tests/unit/test_cost_docs.py re-runs the model offline
and compares)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from offline.cost.estimate import Estimate, estimate
from offline.cost.prices import PriceBook, load_snapshot
from offline.cost.savings import Saving, savings
from offline.cost.thresholds import Threshold, config_of, thresholds
from offline.cost.traffic import TRAFFIC_DIR, load_profile
from offline.doc_blocks import DOCS, GeneratedBlock
from offline.runner import ProgramRun, run_program

BLOCK = GeneratedBlock(DOCS / "plan-and-cost.md", "cost-figures", "./shop3d cost --write-docs")
STACKS = ("dev", "prod")
PROFILES = ("default", "black-friday")
SAVERS = (  # column order: the saver that pays first
    ("spot", "spot saves"),
    ("intelligent_tiering", "Intelligent-Tiering saves"),
    ("cdn_cache", "CloudFront caching saves"),
    ("redis_cache", "Redis cache saves"),
)
# The node prod ran before the smallest one with failover: priced beside it, same stack.
FORMER_REDIS_NODE = "cache.r7g.large"
REDIS_SERVICE = "ElastiCache"
REDIS_NODE_TYPE = "aws:elasticache/replicationGroup:ReplicationGroup"

RunProgram = Callable[[str, Mapping[str, object] | None], ProgramRun]


@dataclass(frozen=True)
class Row:
    stack: str
    profile: str
    result: Estimate
    saved: list[Saving]


def _usd(value: float) -> str:
    return f"{value:,.0f}"


def _by(result: Estimate, index: int) -> dict[str, float]:
    totals: dict[str, float] = {}
    for key, usd in result.by_service_region().items():
        totals[key[index]] = totals.get(key[index], 0.0) + usd
    return totals


def _row(row: Row) -> str:
    regions = sorted(_by(row.result, 1).items(), key=lambda kv: (kv[0] == "global", -kv[1]))
    services = sorted(_by(row.result, 0).items(), key=lambda kv: -kv[1])[:5]
    saved = {s.feature: s for s in row.saved}
    cells = [
        row.stack,
        row.profile,
        _usd(row.result.total),
        ", ".join(f"{r} {_usd(v)}" for r, v in regions),
        ", ".join(f"{s} {_usd(v)}" for s, v in services),
        *(
            f"{_usd(saved[f].saves_usd)} ({saved[f].saves_usd / saved[f].without_usd:.1%})"
            for f, _ in SAVERS
        ),
    ]
    return "| " + " | ".join(cells) + " |"


def _redis_line(prod: Estimate, former: Estimate, node: str) -> str:
    now = [usd for (s, _), usd in prod.by_service_region().items() if s == REDIS_SERVICE]
    before = sum(usd for (s, _), usd in former.by_service_region().items() if s == REDIS_SERVICE)
    return (
        f"Redis in prod with catalogCache on (default profile): a {node} pair per region costs USD "
        f"{_usd(min(now))}-{_usd(max(now))} per region per month; a {FORMER_REDIS_NODE} pair "
        f"would cost USD {_usd(before)} a month for the {len(now)} regions."
    )


def _break_even_lines(found: list[Threshold]) -> list[str]:
    """Where each traffic-dependent saver pays, for prod's regions (the default profile)."""
    lines = ["", "Where a saver pays in prod (per region and month, default profile):", ""]
    for key in sorted({t.key for t in found}):
        of_key = [t for t in found if t.key == key]
        lines.append(
            f"- `{key}` ({of_key[0].saver}): above "
            + ", ".join(f"{t.region} {_usd(t.pays_above)}" for t in of_key)
            + f" {of_key[0].unit}; the profile has "
            + ", ".join(f"{_usd(t.this_profile)}" for t in of_key)
        )
    return lines


def render(
    rows: list[Row],
    prices: PriceBook,
    prod_redis: tuple[Estimate, Estimate, str],
    break_even: list[Threshold] | None = None,
) -> str:
    header = ["stack", "profile", "total", "per region", "largest services"]
    header += [title for _, title in SAVERS]
    lines = [
        f"Figures (snapshot {prices.as_of}, USD per month):",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *(_row(row) for row in rows),
        "",
        _redis_line(*prod_redis),
        *_break_even_lines(break_even or []),
    ]
    return "\n".join(lines)


def figures(run: RunProgram = run_program) -> str:
    """Every stack under every profile with the latest snapshot, rendered as the docs show it."""
    prices = load_snapshot()
    rows = []
    for stack in STACKS:
        graph = run(stack, None)
        for name in PROFILES:
            profile = load_profile(TRAFFIC_DIR / f"{name}.yaml")
            result = estimate(graph, profile, prices)
            rows.append(Row(stack, name, result, savings(graph, profile, prices, result)))
    # The catalog cache is off by default: its cost is shown with it on.
    default = load_profile(TRAFFIC_DIR / "default.yaml")
    cached = run("prod", {"catalogCache": True})
    node = str(cached.of_type(REDIS_NODE_TYPE)[0].inputs["nodeType"])
    former = estimate(
        run("prod", {"catalogCache": True, "redisNodeType": FORMER_REDIS_NODE}), default, prices
    )
    pays = thresholds(config_of("prod"), default, prices)
    return render(rows, prices, (estimate(cached, default, prices), former, node), pays)
