"""The AWS regions shop3d can run a cell in, with the facts the program needs about each.

Default VPC CIDRs are distinct per region so that cells can later be peered or joined by a
transit gateway without renumbering.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegionInfo:
    name: str
    # Availability zones usable for a cell (us-west-1 and ap-northeast-1-like regions
    # expose fewer to new accounts; a prod cell needs three).
    az_count: int
    default_cidr: str
    city: str


_REGIONS = (
    RegionInfo("us-east-1", 6, "10.10.0.0/16", "N. Virginia"),
    RegionInfo("us-east-2", 3, "10.11.0.0/16", "Ohio"),
    RegionInfo("us-west-1", 2, "10.12.0.0/16", "N. California"),
    RegionInfo("us-west-2", 4, "10.13.0.0/16", "Oregon"),
    RegionInfo("ca-central-1", 3, "10.14.0.0/16", "Central Canada"),
    RegionInfo("sa-east-1", 3, "10.15.0.0/16", "Sao Paulo"),
    RegionInfo("eu-west-1", 3, "10.20.0.0/16", "Ireland"),
    RegionInfo("eu-west-2", 3, "10.21.0.0/16", "London"),
    RegionInfo("eu-west-3", 3, "10.22.0.0/16", "Paris"),
    RegionInfo("eu-central-1", 3, "10.23.0.0/16", "Frankfurt"),
    RegionInfo("eu-north-1", 3, "10.24.0.0/16", "Stockholm"),
    RegionInfo("ap-southeast-1", 3, "10.30.0.0/16", "Singapore"),
    RegionInfo("ap-southeast-2", 3, "10.31.0.0/16", "Sydney"),
    RegionInfo("ap-northeast-1", 3, "10.32.0.0/16", "Tokyo"),
    RegionInfo("ap-northeast-2", 4, "10.33.0.0/16", "Seoul"),
    RegionInfo("ap-south-1", 3, "10.34.0.0/16", "Mumbai"),
)

REGIONS: dict[str, RegionInfo] = {r.name: r for r in _REGIONS}

# CloudFront's certificate and WAF web ACL must live here whatever regions the cells use.
EDGE_REGION = "us-east-1"


def region_info(name: str) -> RegionInfo:
    return REGIONS[name]
