"""Text and JSON renderings of an estimate."""

from __future__ import annotations

from typing import Any

from offline.cost.estimate import Estimate
from offline.cost.prices import PriceBook
from offline.cost.savings import Saving
from offline.cost.traffic import TrafficProfile

DISCLAIMER = (
    "Estimate, not a quote: list prices x a traffic profile; no free tier, no Savings "
    "Plans, no taxes; usage-priced services without a model are listed as not priced."
)


def _price_line(prices: PriceBook) -> str:
    live = sum(1 for origin in prices.origin.values() if origin == "live")
    origin = f"live Price List API for {live} prices, the rest from " if live else ""
    line = f"prices: {origin}snapshot of {prices.as_of} ({prices.source.split(' (')[0]})"
    if prices.substituted_regions:
        line += "; priced at us-east-1 rates (not in the snapshot): " + ", ".join(
            sorted(prices.substituted_regions)
        )
    return line


def to_json(
    stack: str, estimate: Estimate, saved: list[Saving], profile: TrafficProfile, prices: PriceBook
) -> dict[str, Any]:
    return {
        "stack": stack,
        "profile": profile.name,
        "prices": {
            "as_of": prices.as_of,
            "source": prices.source,
            "note": prices.note,
            "live": sorted(k for k, o in prices.origin.items() if o == "live"),
            "substituted_regions": sorted(prices.substituted_regions),
        },
        "monthly_usd": estimate.total,
        "by_service_region": [
            {"service": s, "region": r, "usd": usd}
            for (s, r), usd in estimate.by_service_region().items()
        ],
        "items": [vars(i) for i in estimate.items],
        "savings": [
            {
                "feature": s.feature,
                "description": s.description,
                "with_usd": s.with_usd,
                "without_usd": s.without_usd,
                "saves_usd": s.saves_usd,
            }
            for s in saved
        ],
        "not_priced": estimate.not_priced,
        "disclaimer": DISCLAIMER,
    }


def render(
    stack: str,
    estimate: Estimate,
    saved: list[Saving],
    profile: TrafficProfile,
    prices: PriceBook,
    detail: bool = False,
) -> str:
    totals = estimate.by_service_region()
    regions = sorted({r for _, r in totals}, key=lambda r: (r == "global", r))
    services = sorted({s for s, _ in totals})
    width = max(len(s) for s in services)
    lines = [
        f"shop3d cost {stack}, traffic profile '{profile.name}', USD per month",
        _price_line(prices),
        DISCLAIMER,
        "",
        f"{'service':<{width}}" + "".join(f"{r:>16}" for r in regions) + f"{'total':>12}",
    ]
    for service in services:
        row = [totals.get((service, r)) for r in regions]
        lines.append(
            f"{service:<{width}}"
            + "".join(f"{v:>16,.2f}" if v is not None else f"{'-':>16}" for v in row)
            + f"{sum(v or 0 for v in row):>12,.2f}"
        )
    region_totals = [sum(v for (_, r), v in totals.items() if r == region) for region in regions]
    lines.append(
        f"{'total':<{width}}"
        + "".join(f"{v:>16,.2f}" for v in region_totals)
        + f"{estimate.total:>12,.2f}"
    )
    lines += ["", "what the savers save (same stack and traffic, one switched off):"]
    lines += [
        f"  {s.description}: {s.with_usd:,.2f} with, {s.without_usd:,.2f} without, "
        f"saves {s.saves_usd:,.2f} ({s.saves_usd / s.without_usd:.1%})"
        for s in saved
    ]
    if estimate.not_priced:
        lines += [
            "",
            "not priced (usage not modelled): "
            + ", ".join(f"{t.split(':')[-1]} x{n}" for t, n in estimate.not_priced.items()),
        ]
    if detail:
        lines += ["", "line items:"]
        lines += [
            f"  {i.usd:>10,.2f}  {i.service:<{width}} {i.region:<15} {i.what}"
            for i in sorted(estimate.items, key=lambda i: (i.region, i.service, i.what))
        ]
    return "\n".join(lines)
