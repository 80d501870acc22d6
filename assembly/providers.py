"""One aws.Provider per configured region, plus us-east-1 for CloudFront's certificate and WAF.

Resources never fall to the default provider: each component gets its region's provider
through `opts` and its children inherit it through `parent=self`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.tags import default_tags
from stack_config.catalog import EDGE_REGION
from stack_config.config import StackConfig


@dataclass(frozen=True)
class RegionProviders:
    by_region: dict[str, aws.Provider]
    edge: aws.Provider

    def __getitem__(self, region: str) -> aws.Provider:
        return self.by_region[region]

    def opts(self, region: str) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(provider=self.by_region[region])


def make_providers(config: StackConfig) -> RegionProviders:
    tags = aws.ProviderDefaultTagsArgs(tags=default_tags(config.environment))

    def provider(name: str, region: str) -> aws.Provider:
        return aws.Provider(name, region=region, default_tags=tags)

    by_region = {r.name: provider(f"aws-{r.name}", r.name) for r in config.regions}
    # A separate provider even when us-east-1 hosts a cell: the edge's global resources keep
    # their own provider URN whatever regions the cells move to.
    return RegionProviders(
        by_region=by_region, edge=provider(f"aws-edge-{EDGE_REGION}", EDGE_REGION)
    )
