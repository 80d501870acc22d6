"""Where a saver starts to pay, per region, at a stack's settings and the snapshot's prices:
the traffic above which a part that costs by the hour saves more than it costs.

- The Redis catalog cache (shop3d:catalogCache) costs its nodes' hours and saves the DynamoDB
  reads it absorbs (hit ratio x catalog reads). It pays above
  nodes x 730 h x node price / (hit ratio x price of a read).
- Interface endpoints (shop3d:interfaceEndpoints) cost an hourly fee per AZ each and save the
  NAT gateway's per-GB processing of those API calls. They pay above
  AZs x 730 h x endpoint AZ-hour / NAT per GB, per endpoint (the endpoint's own per-GB fee,
  a fifth of the NAT's, is left out: the figure is a floor).
"""

from __future__ import annotations

from dataclasses import dataclass

from components.cell_network import INTERFACE_ENDPOINTS
from offline.cost.estimate import HOURS
from offline.cost.prices import PriceBook
from offline.cost.traffic import TrafficProfile
from offline.runner import stack_config
from stack_config.config import StackConfig, parse_config
from stack_config.keys import qualified


@dataclass(frozen=True)
class Threshold:
    saver: str
    key: str  # the stack config key that turns it on
    region: str
    unit: str
    pays_above: float  # monthly traffic, in `unit`
    this_profile: float  # what the traffic profile gives the region, same unit
    enabled: bool

    @property
    def pays(self) -> bool:
        return self.this_profile > self.pays_above


def config_of(stack: str) -> StackConfig:
    prefix = qualified("")
    raw = {k[len(prefix) :]: v for k, v in stack_config(stack).items() if k.startswith(prefix)}
    return parse_config(raw)


def cache_nodes(config: StackConfig) -> int:
    """What components/cell/cache.py runs: a pair with failover in prod, one node in dev."""
    return 2 if config.is_prod else 1


def thresholds(config: StackConfig, profile: TrafficProfile, prices: PriceBook) -> list[Threshold]:
    regions = list(config.region_names)
    found = []
    for region in regions:
        share = profile.share(region, regions)
        nodes = cache_nodes(config)
        node_month = (
            nodes * HOURS * prices.region(f"elasticache.hour.{config.redis_node_type}", region)
        )
        per_read = prices.region("dynamodb.read_million", region) / 1e6
        found.append(
            Threshold(
                saver=f"Redis catalog cache ({nodes} x {config.redis_node_type}, hit ratio "
                f"{profile.redis_hit_ratio:g})",
                key="catalogCache",
                region=region,
                unit="catalog reads",
                pays_above=node_month / (profile.redis_hit_ratio * per_read),
                this_profile=profile.catalog_reads * share,
                enabled=config.catalog_cache,
            )
        )
        endpoint_month = (
            config.availability_zones
            * HOURS
            * prices.region("vpc.interface_endpoint_az_hour", region)
        )
        found.append(
            Threshold(
                saver=f"interface endpoints ({len(INTERFACE_ENDPOINTS)} x "
                f"{config.availability_zones} AZ)",
                key="interfaceEndpoints",
                region=region,
                unit="GB through NAT per endpoint",
                pays_above=endpoint_month / prices.region("nat.gb", region),
                # The profile's NAT GB is all egress; the endpoints would take part of it.
                this_profile=profile.nat_gb * share / len(INTERFACE_ENDPOINTS),
                enabled=config.interface_endpoints,
            )
        )
    return found


def render_thresholds(found: list[Threshold]) -> list[str]:
    lines = ["", "where a saver pays (per region and month, at this stack's settings):"]
    for t in found:
        verdict = "pays" if t.pays else "does not pay"
        state = "on" if t.enabled else "off"
        lines.append(
            f"  {t.saver} in {t.region}: pays above {t.pays_above:,.0f} {t.unit}; "
            f"this profile {t.this_profile:,.1f}: {verdict} (shop3d:{t.key} {state})"
        )
    return lines
