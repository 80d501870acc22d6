"""What each money-saving feature saves: the same graph and traffic priced with every feature
on, then with one switched off at a time. A negative saving is reported as such (a Redis
cluster costs more than the DynamoDB reads it absorbs at low traffic)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from offline.cost.estimate import Estimate, Features, estimate
from offline.cost.prices import PriceBook
from offline.cost.traffic import TrafficProfile
from offline.runner import ProgramRun

SWITCHES: dict[str, str] = {
    "cdn_cache": "CloudFront caching (hit ratio {p.cdn_hit_ratio:g} vs 0)",
    "redis_cache": "Redis catalog cache (hit ratio {p.redis_hit_ratio:g} vs reads to DynamoDB)",
    "spot": "spot above the on-demand base (web tier and Batch)",
    "intelligent_tiering": "S3 Intelligent-Tiering on assets (vs Standard)",
}


@dataclass(frozen=True)
class Saving:
    feature: str
    description: str
    with_usd: float
    without_usd: float

    @property
    def saves_usd(self) -> float:
        return round(self.without_usd - self.with_usd, 2)


def savings(
    run: ProgramRun, profile: TrafficProfile, prices: PriceBook, baseline: Estimate | None = None
) -> list[Saving]:
    baseline = baseline or estimate(run, profile, prices)
    return [
        Saving(
            feature,
            text.format(p=profile),
            baseline.total,
            estimate(run, profile, prices, replace(Features(), **{feature: False})).total,
        )
        for feature, text in SWITCHES.items()
    ]
