"""Which Origin Shield region serves an origin in a given region.

Origin Shield runs in a subset of regions; for the others AWS's developer guide ("Choosing the
AWS Region for Origin Shield") names the nearest one that has it.
"""

from __future__ import annotations

from typing import Final

SHIELD_REGIONS: Final = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "sa-east-1",
    }
)
NEAREST_SHIELD: Final = {
    "us-west-1": "us-west-2",
    "ca-central-1": "us-east-1",
    "eu-west-3": "eu-west-2",
    "eu-north-1": "eu-west-2",
}


def shield_region(origin_region: str) -> str:
    if origin_region in SHIELD_REGIONS:
        return origin_region
    if origin_region in NEAREST_SHIELD:
        return NEAREST_SHIELD[origin_region]
    raise ValueError(
        f"no Origin Shield region known for {origin_region}; known: "
        + ", ".join(sorted(SHIELD_REGIONS | set(NEAREST_SHIELD)))
    )
