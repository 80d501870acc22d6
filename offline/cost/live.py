"""Live prices from the AWS Price List API (boto3 `pricing`), laid over the snapshot.

Only prices with a well-defined Price List query are fetched (EC2 and ElastiCache instance
hours, Lambda duration and requests); every other price stays the snapshot's and the output
says which came from where. The Price List API answers in us-east-1 for every region.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from offline.cost.prices import REFERENCE_REGION, PriceBook

PRICING_REGION = "us-east-1"

Filters = dict[str, str]
# key pattern -> (service code, filters from the key's groups, multiplier to the key's unit)
QUERIES: list[tuple[re.Pattern[str], str, Callable[[re.Match[str]], Filters], float]] = [
    (
        re.compile(r"ec2\.hour\.(?P<type>[a-z0-9]+\.[a-z0-9]+)$"),
        "AmazonEC2",
        lambda m: {
            "instanceType": m["type"],
            "operatingSystem": "Linux",
            "tenancy": "Shared",
            "preInstalledSw": "NA",
            "capacitystatus": "Used",
        },
        1.0,
    ),
    (
        re.compile(r"elasticache\.hour\.(?P<type>cache\.[a-z0-9]+\.[a-z0-9]+)$"),
        "AmazonElastiCache",
        lambda m: {"instanceType": m["type"], "cacheEngine": "Redis"},
        1.0,
    ),
    (
        re.compile(r"lambda\.gb_second\.arm64$"),
        "AWSLambda",
        lambda m: {"group": "AWS-Lambda-Duration-ARM"},
        1.0,
    ),
    (
        re.compile(r"lambda\.gb_second\.x86_64$"),
        "AWSLambda",
        lambda m: {"group": "AWS-Lambda-Duration"},
        1.0,
    ),
    (
        re.compile(r"lambda\.request_million$"),
        "AWSLambda",
        lambda m: {"group": "AWS-Lambda-Requests"},
        1e6,
    ),
]


class PricingClient(Protocol):
    def get_products(self, **kwargs: Any) -> dict[str, Any]: ...


class NoCredentials(RuntimeError):
    pass


def on_demand_usd(price_list_item: str) -> float:
    """The first-tier on-demand USD price of one Price List `PriceList` entry (a JSON string)."""
    product = json.loads(price_list_item)
    terms = (product.get("terms") or {}).get("OnDemand") or {}
    dimensions = [
        d for term in terms.values() for d in (term.get("priceDimensions") or {}).values()
    ]
    if not dimensions:
        sku = (product.get("product") or {}).get("sku")
        raise ValueError(f"Price List product {sku} has no on-demand price dimension")
    first_tier = min(dimensions, key=lambda d: float(d.get("beginRange") or 0))
    return float(first_tier["pricePerUnit"]["USD"])


def fetch(client: PricingClient, service: str, region: str, filters: Filters) -> float | None:
    terms = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    terms += [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()]
    response = client.get_products(
        ServiceCode=service, Filters=terms, FormatVersion="aws_v1", MaxResults=10
    )
    prices = [p for p in (on_demand_usd(item) for item in response.get("PriceList") or []) if p]
    # Several SKUs can match (e.g. reserved host variants filtered out above): take the lowest
    # non-zero on-demand price, which is the plain shared-tenancy one.
    return min(prices) if prices else None


def live_prices(snapshot: PriceBook, client: PricingClient, regions: list[str]) -> PriceBook:
    """A copy of `snapshot` with every fetchable regional price of `regions` replaced by the
    Price List API's answer; `origin` records which keys are live."""
    regional = {r: dict(t) for r, t in snapshot.regional.items()}
    origin: dict[str, str] = {}
    # A region the snapshot lacks still gets its live prices; the rest stay reference rates.
    substituted = {r for r in regions if r not in regional}
    for region in regions:
        table = regional.setdefault(region, dict(snapshot.regional[REFERENCE_REGION]))
        for key in list(table):
            for pattern, service, filters, multiplier in QUERIES:
                match = pattern.match(key)
                if match is None:
                    continue
                price = fetch(client, service, region, filters(match))
                if price is not None:
                    table[key] = price * multiplier
                    origin[f"{region}:{key}"] = "live"
    return replace(snapshot, regional=regional, origin=origin, substituted_regions=substituted)


def pricing_client() -> PricingClient:
    """A boto3 pricing client, or NoCredentials with what to do about it."""
    import boto3  # only live mode needs it

    session = boto3.Session()
    if session.get_credentials() is None:
        raise NoCredentials(
            "--prices live needs AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, SSO or an instance role) with pricing:GetProducts; none "
            "were found. Without --prices live the committed snapshot is used."
        )
    client: PricingClient = session.client("pricing", region_name=PRICING_REGION)
    return client


def save_snapshot(book: PriceBook, path: Path, as_of: str) -> None:
    data = book.to_json()
    data["as_of"] = as_of
    data["source"] = (
        "AWS Price List API (boto3 pricing.get_products) for the live keys; "
        f"the rest carried over from the snapshot of {book.as_of}. " + book.source
    )
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
