"""The failover's steps, printed as they run; `dry_run` prints them and calls nothing.

1. Find the current writer (DescribeGlobalClusters). If it is already `--to`, the Aurora steps
   are skipped: re-running after an interrupted failover finishes the DNS and config steps.
2. Planned: SwitchoverGlobalCluster (no data loss: Aurora waits for the secondary to catch
   up). Unplanned: FailoverGlobalCluster with AllowDataLoss (the writer's region is down; what
   it had not replicated, typically under a second of commits, is lost or kept aside by Aurora).
   Both are called in the target region: the old writer's region may be unreachable.
3. Wait until the target cluster is the writer and the global cluster is `available`.
4. UPSERT both orders.<domain> failover records in one change batch (primary on the new
   writer's cell, secondary on the next region), then wait for Route 53 to report INSYNC.
5. Record shop3d:writerRegion in the stack config (so the next deploy writes the same records),
   or print the command when the outputs came from a file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ops.failover.targets import FailoverTargets
from stack_config.keys import qualified
from stack_config.routing import ORDERS_ROLES, orders_regions, set_identifier

Mode = Literal["planned", "unplanned"]
WRITER_REGION_KEY = qualified("writerRegion")
# Polling the global cluster: Aurora documents switchovers and failovers in minutes.
POLL_SECONDS = 10.0
TIMEOUT_SECONDS = 1800.0
# Route 53 propagates a change to its name servers within about 60 s (Route 53 API
# reference, GetChange): a few seconds between reads.
ROUTE53_POLL_SECONDS = 5.0


class FailoverError(RuntimeError):
    """A step failed or timed out; the message names the step and what was seen."""


@dataclass
class Clients:
    """boto3 clients, made on first use (a dry run makes none)."""

    rds: Callable[[str], Any]  # region -> RDS client
    route53: Callable[[], Any]
    persist_writer: Callable[[str], None] | None = None  # sets shop3d:writerRegion
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class Request:
    stack: str
    to: str
    mode: Mode = "planned"
    dry_run: bool = False
    poll_seconds: float = POLL_SECONDS
    timeout_seconds: float = TIMEOUT_SECONDS


@dataclass
class Report:
    """What happened, step by step (also printed through `say`)."""

    lines: list[str] = field(default_factory=list)
    previous_writer: str | None = None
    changed_aurora: bool = False
    changed_dns: bool = False


def region_of_arn(arn: str) -> str:
    return arn.split(":")[3]


def _global_cluster(rds: Any, global_id: str) -> dict[str, Any]:
    found = rds.describe_global_clusters(GlobalClusterIdentifier=global_id)["GlobalClusters"]
    # Matched by identifier, not taken first: moto's server ignores the filter and lists all.
    matching = [c for c in found if c.get("GlobalClusterIdentifier") == global_id]
    if not matching:
        raise FailoverError(f"step 1: no global cluster {global_id!r}")
    cluster: dict[str, Any] = matching[0]
    return cluster


def writer_region(cluster: dict[str, Any]) -> str | None:
    writers = [m for m in cluster.get("GlobalClusterMembers", []) if m.get("IsWriter")]
    return region_of_arn(writers[0]["DBClusterArn"]) if writers else None


def orders_changes(targets: FailoverTargets, writer: str) -> list[dict[str, Any]]:
    """The change batch that points orders.<domain> at `writer` (what a deploy with
    shop3d:writerRegion=<writer> writes: stack_config.routing decides both)."""
    assert targets.orders is not None
    primary, secondary = orders_regions(targets.regions, writer)
    changes = []
    for role, region in zip(ORDERS_ROLES, (primary, secondary), strict=True):
        assert region is not None  # a single-region stack has no failover records
        cell = targets.cells[region]
        changes.append(
            {
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": targets.orders.name,
                    "Type": "A",
                    "SetIdentifier": set_identifier(role),
                    "Failover": role,
                    "HealthCheckId": cell.health_check_id,
                    "AliasTarget": {
                        "HostedZoneId": cell.alb_zone_id,
                        "DNSName": cell.alb_dns_name,
                        "EvaluateTargetHealth": False,
                    },
                },
            }
        )
    return changes


class Runbook:
    def __init__(
        self, targets: FailoverTargets, clients: Clients, say: Callable[[str], None] = print
    ) -> None:
        self._targets = targets
        self._clients = clients
        self._say = say
        self.report = Report()

    def _step(self, text: str) -> None:
        self.report.lines.append(text)
        self._say(text)

    def run(self, request: Request) -> Report:
        targets = self._targets
        targets.require_region(request.to)
        prefix = "[dry run] " if request.dry_run else ""
        action = (
            "SwitchoverGlobalCluster (planned: no data loss)"
            if request.mode == "planned"
            else "FailoverGlobalCluster with AllowDataLoss (unplanned)"
        )
        self._step(
            f"{prefix}failover {request.stack}: Aurora writer to {request.to} "
            f"({targets.global_cluster_id}), then orders.<domain> to its cell"
        )
        if request.dry_run:
            self._dry_run(request, action)
            return self.report
        rds = self._clients.rds(request.to)
        current = writer_region(_global_cluster(rds, targets.global_cluster_id))
        self.report.previous_writer = current
        self._step(f"1. current writer: {current or 'none'}")
        if current == request.to:
            self._step(f"2. {request.to} already holds the writer: nothing to switch")
        else:
            self._move_writer(rds, request, action)
        self._move_orders(request.to)
        self._persist(request)
        self._step(f"done: the writer is in {request.to}")
        return self.report

    def _dry_run(self, request: Request, action: str) -> None:
        targets = self._targets
        self._step("1. read the current writer (DescribeGlobalClusters)")
        self._step(
            f"2. {action}: TargetDbClusterIdentifier={targets.cluster_arns[request.to]}, "
            f"called in {request.to}"
        )
        self._step(
            f"3. wait until {request.to} is the writer and the global cluster is available "
            f"(every {request.poll_seconds:g} s, at most {request.timeout_seconds:g} s)"
        )
        if targets.orders is None:
            self._step("4. no orders record (the stack has no domain): nothing to move")
        else:
            primary, secondary = orders_regions(targets.regions, request.to)
            self._step(
                f"4. UPSERT {targets.orders.name} in zone {targets.orders.zone_id}: "
                f"primary -> {primary} cell, secondary -> {secondary} cell; wait for INSYNC"
            )
        self._step(f"5. set {WRITER_REGION_KEY}={request.to} in stack {request.stack}")

    def _move_writer(self, rds: Any, request: Request, action: str) -> None:
        targets = self._targets
        arn = targets.cluster_arns[request.to]
        self._step(f"2. {action} to {arn}")
        if request.mode == "planned":
            rds.switchover_global_cluster(
                GlobalClusterIdentifier=targets.global_cluster_id, TargetDbClusterIdentifier=arn
            )
        else:
            rds.failover_global_cluster(
                GlobalClusterIdentifier=targets.global_cluster_id,
                TargetDbClusterIdentifier=arn,
                AllowDataLoss=True,
            )
        self.report.changed_aurora = True
        self._wait_for_writer(rds, request)

    def _wait_for_writer(self, rds: Any, request: Request) -> None:
        clock, started = self._clients.clock, self._clients.clock()
        while True:
            cluster = _global_cluster(rds, self._targets.global_cluster_id)
            writer, status = writer_region(cluster), cluster.get("Status")
            elapsed = clock() - started
            self._step(f"3. {elapsed:.0f} s: status {status}, writer {writer or 'none'}")
            if writer == request.to and status == "available":
                return
            if elapsed >= request.timeout_seconds:
                raise FailoverError(
                    f"step 3: {request.to} is not the writer after {elapsed:.0f} s "
                    f"(status {status}, writer {writer}); DNS and config are unchanged"
                )
            self._clients.sleep(request.poll_seconds)

    def _move_orders(self, writer: str) -> None:
        targets = self._targets
        if targets.orders is None:
            self._step("4. no orders record (the stack has no domain): nothing to move")
            return
        if len(targets.regions) == 1:
            self._step("4. a single-region stack: orders has one record, nothing to move")
            return
        route53 = self._clients.route53()
        change = route53.change_resource_record_sets(
            HostedZoneId=targets.orders.zone_id,
            ChangeBatch={
                "Comment": f"shop3d failover: orders primary to {writer}",
                "Changes": orders_changes(targets, writer),
            },
        )["ChangeInfo"]
        primary, secondary = orders_regions(targets.regions, writer)
        self._step(
            f"4. {targets.orders.name}: primary -> {primary}, secondary -> {secondary} "
            f"(change {change['Id']}, {change['Status']})"
        )
        self.report.changed_dns = True
        while change["Status"] != "INSYNC":
            self._clients.sleep(ROUTE53_POLL_SECONDS)
            change = route53.get_change(Id=change["Id"])["ChangeInfo"]
            self._step(f"4. change {change['Id']}: {change['Status']}")

    def _persist(self, request: Request) -> None:
        if self._clients.persist_writer is None:
            self._step(
                f"5. record the writer for the next deploy: pulumi config set "
                f"{WRITER_REGION_KEY} {request.to} --stack {request.stack}"
            )
            return
        self._clients.persist_writer(request.to)
        self._step(f"5. {WRITER_REGION_KEY}={request.to} set in stack {request.stack}")
