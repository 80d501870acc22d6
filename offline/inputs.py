"""Readers of recorded resource inputs that more than one offline tool needs."""

from __future__ import annotations

from typing import Any


def replication_time_rules(inputs: dict[str, Any]) -> int:
    """How many rules of an S3 replication configuration have Replication Time Control on."""
    return sum(
        1
        for rule in inputs.get("rules") or []
        if ((rule.get("destination") or {}).get("replicationTime") or {}).get("status") == "Enabled"
    )


def compute_resources(inputs: dict[str, Any]) -> dict[str, Any]:
    """A Batch compute environment's computeResources block ({} when absent)."""
    resources: dict[str, Any] = inputs.get("computeResources") or {}
    return resources
