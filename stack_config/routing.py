"""Which cell orders.<domain> prefers: a fact the program (components/edge/dns.py) and the
failover runbook (ops/failover) share, so a failover writes exactly the records a deploy
would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

# Failover record roles and their set identifiers: the role, never the region, so moving the
# primary rewrites both records' targets in one UPSERT instead of renaming records.
ORDERS_ROLES: Final = ("PRIMARY", "SECONDARY")


def set_identifier(role: str) -> str:
    return role.lower()


def orders_regions(regions: Sequence[str], writer: str) -> tuple[str, str | None]:
    """(primary, secondary) of orders.<domain>: the writer's region and the one after it in
    the configured order (wrapping); no secondary in a single-region stack."""
    if writer not in regions:
        raise ValueError(f"writer region {writer!r} is not one of {', '.join(regions)}")
    if len(regions) == 1:
        return writer, None
    index = list(regions).index(writer)
    return writer, regions[(index + 1) % len(regions)]
