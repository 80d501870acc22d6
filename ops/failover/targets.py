"""What the failover acts on, from the stack's outputs (`failoverTargets`, `regions`,
`ordersRecord`): read through the Automation API, or from a JSON file of the outputs
(`pulumi stack output --json --show-secrets`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class TargetsError(ValueError):
    """The stack outputs lack something the failover needs; the message names it."""


@dataclass(frozen=True)
class CellTarget:
    """What an orders record names for a cell: its ALB alias and its own health check."""

    alb_dns_name: str
    alb_zone_id: str
    health_check_id: str


@dataclass(frozen=True)
class OrdersRecord:
    """orders.<domain> and its hosted zone (the stack output ordersRecord)."""

    zone_id: str
    name: str


@dataclass(frozen=True)
class FailoverTargets:
    """The global cluster, each region's cluster ARN and cell, and the orders record."""

    regions: tuple[str, ...]
    global_cluster_id: str
    cluster_arns: dict[str, str]
    cells: dict[str, CellTarget]
    orders: OrdersRecord | None  # None: a stack without a domain has no orders record

    def require_region(self, region: str) -> None:
        if region not in self.regions:
            raise TargetsError(
                f"--to {region!r} is not a region of this stack; allowed: "
                + ", ".join(self.regions)
            )


def _field(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(mapping, Mapping) or key not in mapping or mapping[key] in (None, ""):
        raise TargetsError(f"stack output {where}.{key} is missing (deploy the stack first)")
    return mapping[key]


def from_outputs(outputs: Mapping[str, Any]) -> FailoverTargets:
    """Validate the outputs into targets; every region must have its cluster and cell."""
    regions = tuple(_field(outputs, "regions", "outputs"))
    raw = _field(outputs, "failoverTargets", "outputs")
    arns = _field(raw, "clusterArns", "failoverTargets")
    cells_raw = _field(raw, "cells", "failoverTargets")
    cells = {}
    for region in regions:
        cell = _field(cells_raw, region, "failoverTargets.cells")
        where = f"failoverTargets.cells.{region}"
        cells[region] = CellTarget(
            alb_dns_name=str(_field(cell, "albDnsName", where)),
            alb_zone_id=str(_field(cell, "albZoneId", where)),
            health_check_id=str(_field(cell, "healthCheckId", where)),
        )
        _field(arns, region, "failoverTargets.clusterArns")
    record = outputs.get("ordersRecord")
    return FailoverTargets(
        regions=regions,
        global_cluster_id=str(_field(raw, "globalClusterId", "failoverTargets")),
        cluster_arns={r: str(arns[r]) for r in regions},
        cells=cells,
        orders=OrdersRecord(
            zone_id=str(_field(record, "zoneId", "ordersRecord")),
            name=str(_field(record, "name", "ordersRecord")),
        )
        if record
        else None,
    )


def outputs_from_file(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise TargetsError(f"{path}: not a JSON file of stack outputs ({error})") from None
    if not isinstance(document, dict):
        raise TargetsError(f"{path}: expected a JSON object of stack outputs")
    return document
