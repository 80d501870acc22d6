"""What every part of a cell needs: its parent, region, config, network, data layer and the
region's code signing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.code_signing import RegionCodeSigning
from components.interfaces import NetworkOutputs, RegionDataOutputs
from components.naming import physical, regional
from components.options import child, stateful
from stack_config.config import RegionSettings, StackConfig


@dataclass(frozen=True)
class CellContext:
    parent: pulumi.Resource
    config: StackConfig
    settings: RegionSettings
    network: NetworkOutputs
    # The data layer as this region sees it.
    data: RegionDataOutputs
    code_signing: RegionCodeSigning

    @property
    def region(self) -> str:
        return self.settings.name

    @property
    def is_primary(self) -> bool:
        return self.region == self.config.primary.name

    @property
    def key_arn(self) -> pulumi.Output[str]:
        """The region's KMS key (the multi-region primary or its replica)."""
        return self.data.key_arn

    def name(self, *parts: str) -> str:
        """Logical name: cell-<region>-<parts>."""
        return regional("cell", self.region, *parts)

    def physical(self, *parts: str) -> str:
        """Physical name of a regional resource that needs one (unique per stack)."""
        return physical(*parts)

    def opts(self, depends_on: Sequence[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
        return child(self.parent, depends_on=depends_on)

    def stateful(self) -> pulumi.ResourceOptions:
        return stateful(self.parent, self.config.deletion_protection)
