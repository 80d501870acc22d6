"""Traffic profiles: the monthly usage a cost estimate prices (offline/traffic/*.yaml).

Every field is a number with a range; a profile file sets any subset and the rest keep the
defaults below. Unknown keys and out-of-range values are refused with the allowed range.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

TRAFFIC_DIR = Path(__file__).resolve().parent.parent / "traffic"
DEFAULT_PROFILE = TRAFFIC_DIR / "default.yaml"
SHARE = (0.0, 1.0)
COUNT = (0.0, 1e13)


@dataclass(frozen=True)
class TrafficProfile:
    """Monthly usage of the whole stack; regional figures are split by region_shares."""

    name: str = "default"
    # CloudFront: cacheable requests (storefront files and 3D assets) and bytes to viewers.
    cdn_requests: float = 20e6
    cdn_gb: float = 2000.0
    cdn_hit_ratio: float = 0.95
    # /api/* requests through CloudFront to a cell's ALB (never cached at the edge).
    api_requests: float = 5e6
    alb_requests_per_connection: float = 20.0
    catalog_read_share: float = 0.6
    redis_hit_ratio: float = 0.9
    dynamodb_reads_per_api_request: float = 2.0
    dynamodb_writes_per_api_request: float = 0.3
    dynamodb_storage_gb: float = 5.0
    cart_lambda_ms: float = 60.0
    # Asset pipeline: uploads, their size, the share Batch takes, and what it costs.
    models_uploaded: float = 500.0
    model_mb: float = 40.0
    large_model_share: float = 0.05
    asset_lambda_seconds: float = 45.0
    batch_vcpu_hours_per_model: float = 0.5
    # Posters: one render job per published model (Chromium start, LOD download, render,
    # encode). SwiftShader measured 7 s for the render alone on this 2-core machine; 30 s per
    # job allows for the container start on a warm host. The GPU job takes a whole g6.xlarge.
    poster_job_seconds: float = 30.0
    objects_per_model: float = 12.0
    # Stored 3D assets (all LODs), in the primary region; each secondary holds a replica.
    asset_storage_gb: float = 300.0
    asset_objects: float = 60_000.0
    # Intelligent-Tiering access pattern: shares of stored bytes idle 30+ and 90+ days.
    idle_30_days_share: float = 0.3
    idle_90_days_share: float = 0.4
    # Web tier: average running instances per region (clamped to the ASG's min..max), and
    # the share of instances above the on-demand base that actually get spot capacity.
    web_instances: float = 2.0
    spot_share: float = 0.9
    aurora_acu: float = 1.0
    aurora_storage_gb: float = 20.0
    aurora_io_millions: float = 20.0
    nat_gb: float = 50.0
    log_gb: float = 10.0
    kms_requests: float = 2e6
    cognito_mau: float = 5000.0
    # Relative weight of each region's traffic; unset: even over the stack's regions.
    region_shares: dict[str, float] = field(default_factory=dict)

    def share(self, region: str, regions: list[str]) -> float:
        """The part of the stack's traffic that region serves."""
        weights = {
            r: self.region_shares.get(r, 0.0) if self.region_shares else 1.0 for r in regions
        }
        total = sum(weights.values())
        return weights.get(region, 0.0) / total if total else 1.0 / len(regions)

    @property
    def catalog_reads(self) -> float:
        return self.api_requests * self.catalog_read_share


RANGES: dict[str, tuple[float, float]] = {
    f.name: (SHARE if f.name.endswith(("_ratio", "_share")) else COUNT)
    for f in fields(TrafficProfile)
    if f.name not in ("name", "region_shares")
}


def _in_range(label: str, value: Any, low: float, high: float, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(
            f"{where}: {label}: {value!r} is not allowed; expected a number from "
            f"{low:g} to {high:g}"
        )
    return float(value)


def load_profile(path: Path = DEFAULT_PROFILE) -> TrafficProfile:
    raw = yaml.safe_load(path.read_text()) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: a traffic profile is a mapping of keys to numbers")
    unknown = sorted(set(raw) - set(RANGES) - {"name", "description", "region_shares"})
    if unknown:
        raise ValueError(
            f"{path}: unknown key(s) {', '.join(unknown)}; allowed: "
            + ", ".join(["name", "description", *sorted(RANGES)])
        )
    values = {k: _in_range(k, v, *RANGES[k], str(path)) for k, v in raw.items() if k in RANGES}
    shares = raw.get("region_shares") or {}
    if not isinstance(shares, dict):
        raise ValueError(f"{path}: region_shares: expected a mapping of region to a share")
    region_shares = {
        str(r): _in_range(f"region_shares.{r}", v, *SHARE, str(path)) for r, v in shares.items()
    }
    profile = replace(
        TrafficProfile(),
        name=str(raw.get("name") or path.stem),
        region_shares=region_shares,
        **values,
    )
    if profile.idle_30_days_share + profile.idle_90_days_share > 1:
        raise ValueError(
            f"{path}: idle_30_days_share + idle_90_days_share is "
            f"{profile.idle_30_days_share + profile.idle_90_days_share:g}; "
            "expected at most 1 (they are shares of the same bytes)"
        )
    return profile
