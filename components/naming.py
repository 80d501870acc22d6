"""Logical names: every per-region resource carries its region, so URNs never collide."""

from __future__ import annotations

import pulumi


def regional(scope: str, region: str, *parts: str) -> str:
    """`regional("cell", "eu-west-1", "alb")` -> "cell-eu-west-1-alb"."""
    return "-".join((scope, region, *parts))


def global_name(scope: str, *parts: str) -> str:
    """A name for a resource that exists once per stack: "data-aurora-global"."""
    return "-".join((scope, *parts))


def physical(*parts: str) -> str:
    """A physical AWS name that must be chosen by us (not auto-named): shop3d-<stack>-..."""
    return "-".join(("shop3d", pulumi.get_stack(), *parts))
