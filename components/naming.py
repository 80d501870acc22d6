"""Logical names: every per-region resource carries its region, so URNs never collide."""

from __future__ import annotations

from typing import Final

import pulumi

# DNS labels under shop3d:domain: the cells' certificates name them, GlobalEdge routes them.
API_LABEL: Final = "api"  # latency-routed to the nearest healthy cell
ORDERS_LABEL: Final = "orders"  # failover-routed to the Aurora writer's cell


def regional(scope: str, region: str, *parts: str) -> str:
    """`regional("cell", "eu-west-1", "alb")` -> "cell-eu-west-1-alb"."""
    return "-".join((scope, region, *parts))


def global_name(scope: str, *parts: str) -> str:
    """A name for a resource that exists once per stack: "data-aurora-global"."""
    return "-".join((scope, *parts))


def physical(*parts: str) -> str:
    """A physical AWS name that must be chosen by us (not auto-named): shop3d-<stack>-..."""
    return "-".join(("shop3d", pulumi.get_stack(), *parts))
