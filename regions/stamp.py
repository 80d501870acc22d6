"""Stamp the per-region parts of the platform from stack config, in reading order:
networks first (GlobalData's Aurora sits in them), then the cells that run on them."""

from __future__ import annotations

from components.cell_network import CellNetwork, CellNetworkArgs
from components.global_data import GlobalData
from components.interfaces import IdentityOutputs
from components.naming import regional
from components.regional_cell import RegionalCell, RegionalCellArgs
from regions.config import StackConfig
from regions.providers import RegionProviders


def stamp_networks(config: StackConfig, providers: RegionProviders) -> dict[str, CellNetwork]:
    return {
        region.name: CellNetwork(
            regional("cell", region.name, "network"),
            CellNetworkArgs(
                region=region.name,
                cidr_block=region.vpc_cidr,
                availability_zones=config.availability_zones,
                nat_gateways=config.nat_gateways,
            ),
            opts=providers.opts(region.name),
        )
        for region in config.regions
    }


def stamp_cells(config: StackConfig, providers: RegionProviders,
                networks: dict[str, CellNetwork], data: GlobalData,
                identity: IdentityOutputs | None = None) -> dict[str, RegionalCell]:
    return {
        region.name: RegionalCell(
            regional("cell", region.name),
            RegionalCellArgs(config=config, region=region, network=networks[region.name],
                             data=data, identity=identity),
            opts=providers.opts(region.name),
        )
        for region in config.regions
    }
