"""Unit prices: a committed snapshot (offline/prices/<date>.json) or live ones laid over it.

A price is looked up by key and region ("ec2.hour.c7g.large" in "eu-west-1") or by key alone
for global services. A region the snapshot lacks is priced at the reference region's rates
and reported as such: an estimate with a stated approximation beats none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRICES_DIR = Path(__file__).resolve().parent.parent / "prices"
REFERENCE_REGION = "us-east-1"


class PriceMissing(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class PriceBook:
    as_of: str
    source: str
    note: str
    regional: dict[str, dict[str, float]]
    global_: dict[str, float]
    cloudfront_geography: dict[str, str]
    cloudfront_price_classes: dict[str, list[str]]
    # Where each live price came from ("live" or "snapshot"), filled by the live source.
    origin: dict[str, str] = field(default_factory=dict)
    substituted_regions: set[str] = field(default_factory=set)

    def region(self, key: str, region: str) -> float:
        table = self.regional.get(region)
        if table is None:
            self.substituted_regions.add(region)
            table = self.regional[REFERENCE_REGION]
        if key not in table:
            raise PriceMissing(
                f"no price {key!r} for {region} in the price book of {self.as_of}; "
                f"known keys: {', '.join(sorted(table))}"
            )
        return table[key]

    def global_price(self, key: str) -> float:
        if key not in self.global_:
            raise PriceMissing(
                f"no global price {key!r} in the price book of {self.as_of}; "
                f"known keys: {', '.join(sorted(self.global_))}"
            )
        return self.global_[key]

    def geography(self, region: str) -> str:
        return self.cloudfront_geography.get(region, "north_america")

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "currency": "USD",
            "source": self.source,
            "note": self.note,
            "regions": self.regional,
            "global": self.global_,
            "cloudfront_geography": self.cloudfront_geography,
            "cloudfront_price_classes": self.cloudfront_price_classes,
        }


def latest_snapshot(directory: Path = PRICES_DIR) -> Path:
    snapshots = sorted(directory.glob("*.json"))
    if not snapshots:
        raise FileNotFoundError(f"no price snapshot in {directory}")
    return snapshots[-1]


def load_snapshot(path: Path | None = None) -> PriceBook:
    path = path or latest_snapshot()
    raw = json.loads(path.read_text())
    missing = [k for k in ("as_of", "source", "note", "regions", "global") if k not in raw]
    if missing:
        raise ValueError(
            f"{path}: price snapshot lacks {', '.join(missing)} (a snapshot must "
            "name its date and source)"
        )
    if REFERENCE_REGION not in raw["regions"]:
        raise ValueError(
            f"{path}: price snapshot must price the reference region {REFERENCE_REGION}"
        )
    return PriceBook(
        as_of=str(raw["as_of"]),
        source=raw["source"],
        note=raw["note"],
        regional={r: {k: float(v) for k, v in t.items()} for r, t in raw["regions"].items()},
        global_={k: float(v) for k, v in raw["global"].items()},
        cloudfront_geography=dict(raw.get("cloudfront_geography") or {}),
        cloudfront_price_classes={
            k: list(v) for k, v in (raw.get("cloudfront_price_classes") or {}).items()
        },
    )
