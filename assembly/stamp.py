"""Stamp the per-region parts of the platform from stack config, in reading order:
networks first (GlobalData's Aurora sits in them), then the cells that run on them."""

from __future__ import annotations

from collections.abc import Mapping

from assembly.providers import RegionProviders
from components.cell.alb import alb_port
from components.cell_network import CellNetwork, CellNetworkArgs
from components.code_signing import CodeSigning
from components.interfaces import IdentityOutputs, RegionDataOutputs, RegionImages
from components.naming import regional
from components.origin_secret import CartCookieKey, OriginSecret, StripeKeys
from components.regional_cell import RegionalCell, RegionalCellArgs
from stack_config.config import StackConfig


def stamp_networks(config: StackConfig, providers: RegionProviders) -> dict[str, CellNetwork]:
    return {
        region.name: CellNetwork(
            regional("cell", region.name, "network"),
            CellNetworkArgs(
                region=region.name,
                cidr_block=region.vpc_cidr,
                availability_zones=config.availability_zones,
                nat_gateways=config.nat_gateways,
                alb_port=alb_port(config.domain),
                # Interface endpoints cost per AZ-hour: only where the traffic pays for them.
                interface_endpoints=config.interface_endpoints,
            ),
            opts=providers.opts(region.name),
        )
        for region in config.regions
    }


def stamp_cells(
    config: StackConfig,
    providers: RegionProviders,
    networks: dict[str, CellNetwork],
    data: Mapping[str, RegionDataOutputs],
    origin_secret: OriginSecret,
    code_signing: CodeSigning,
    cookie_key: CartCookieKey,
    identity: IdentityOutputs,
    images: Mapping[str, RegionImages],
    stripe_keys: StripeKeys | None = None,
) -> dict[str, RegionalCell]:
    return {
        region.name: RegionalCell(
            regional("cell", region.name),
            RegionalCellArgs(
                config=config,
                region=region,
                network=networks[region.name].outputs,
                data=data[region.name],
                origin_header_value=origin_secret.value,
                cookie_key_arn=cookie_key.arn_in(region.name),
                code_signing=code_signing.regions[region.name],
                identity=identity,
                images=images[region.name],
                stripe_keys_arn=None if stripe_keys is None else stripe_keys.arn_in(region.name),
            ),
            opts=providers.opts(region.name),
        )
        for region in config.regions
    }
