"""RegionalCell (`shop3d:cell:RegionalCell`): what runs in one region, on its CellNetwork.

One per configured region, under that region's provider (children inherit it through
parent=self).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.cell_network import CellNetwork
from components.global_data import GlobalData
from components.interfaces import IdentityOutputs
from regions.config import RegionSettings, StackConfig


@dataclass(frozen=True)
class RegionalCellArgs:
    config: StackConfig
    region: RegionSettings
    network: CellNetwork
    data: GlobalData
    # None until the identity component exists in the program.
    identity: IdentityOutputs | None = None


class RegionalCell(pulumi.ComponentResource):
    def __init__(self, name: str, args: RegionalCellArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("shop3d:cell:RegionalCell", name, None, opts)
        self.region = args.region.name
        self.network = args.network
        self.vpc_id = args.network.vpc_id
        self.register_outputs({"vpcId": self.vpc_id})
