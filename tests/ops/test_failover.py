"""`./shop3d failover`: its steps against moto's server where moto answers (RDS global
clusters: create and describe, members and IsWriter; Route 53: zone, health checks, failover
records, UPSERT, GetChange) and at botocore's seam where it does not (moto 5.x implements no
SwitchoverGlobalCluster or FailoverGlobalCluster: those calls go through botocore's Stubber,
which validates every request against the RDS service model and every response against its
output shape). What neither can show is in docs/failover.md (how long Aurora takes, what
write forwarding does meanwhile, the data an unplanned failover loses).

Sources: RDS API reference, SwitchoverGlobalCluster / FailoverGlobalCluster (TargetDbClusterIdentifier,
AllowDataLoss) and DescribeGlobalClusters (GlobalClusterMembers[].IsWriter, Status);
Route 53 API reference, ChangeResourceRecordSets (UPSERT of failover alias records) and GetChange.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from ci.driver import Exit
from ops.failover.__main__ import main
from ops.failover.runbook import Clients, FailoverError, Request, Runbook, orders_changes
from ops.failover.targets import TargetsError, from_outputs
from policy import tokens
from stack_config.routing import orders_regions
from tests.unit.conftest import ProgramFactory

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
ACCOUNT = "123456789012"
ALB_ZONE = "Z35SXDOTRQ7X7K"  # us-east-1's ALB zone id; any id does for moto


def _arn(region: str, name: str) -> str:
    return f"arn:aws:rds:{region}:{ACCOUNT}:cluster:{name}"


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return moto_endpoint


class Stack:
    """A deployed stack in moto: the global cluster with a cluster per region (the first
    created is the writer), and the zone, health checks and orders records the program writes."""

    def __init__(self, writer: str) -> None:
        tag = uuid.uuid4().hex[:8]
        self.global_id = f"shop3d-test-orders-{tag}"
        rds = boto3.client("rds", region_name=writer)
        rds.create_global_cluster(
            GlobalClusterIdentifier=self.global_id, Engine="aurora-postgresql"
        )
        self.cluster_arns: dict[str, str] = {}
        for region in (writer, *[r for r in REGIONS if r != writer]):
            created = boto3.client("rds", region_name=region).create_db_cluster(
                DBClusterIdentifier=f"orders-{region}-{tag}",
                Engine="aurora-postgresql",
                GlobalClusterIdentifier=self.global_id,
                **(
                    {"MasterUsername": "shop3d_admin", "MasterUserPassword": "x" * 20}
                    if region == writer
                    else {}
                ),
            )
            self.cluster_arns[region] = created["DBCluster"]["DBClusterArn"]
        self.route53 = boto3.client("route53", region_name="us-east-1")
        self.domain = f"shop-{tag}.example.org"
        self.zone_id = self.route53.create_hosted_zone(Name=self.domain, CallerReference=tag)[
            "HostedZone"
        ]["Id"].split("/")[-1]
        self.cells = {}
        for region in REGIONS:
            check = self.route53.create_health_check(
                CallerReference=f"{tag}-{region}",
                HealthCheckConfig={
                    "Type": "HTTPS",
                    "FullyQualifiedDomainName": f"alb-{region}.example.org",
                    "ResourcePath": "/api/health",
                    "RequestInterval": 10,
                    "FailureThreshold": 3,
                },
            )["HealthCheck"]["Id"]
            self.cells[region] = {
                "albDnsName": f"cell-{region}-alb.{region}.elb.amazonaws.com",
                "albZoneId": ALB_ZONE,
                "healthCheckId": check,
            }
        self.targets = from_outputs(self.outputs())
        # What the deploy wrote: orders prefers the writer's cell.
        self.route53.change_resource_record_sets(
            HostedZoneId=self.zone_id,
            ChangeBatch={"Changes": orders_changes(self.targets, writer)},
        )

    def outputs(self) -> dict[str, Any]:
        return {
            "regions": list(REGIONS),
            "failoverTargets": {
                "globalClusterId": self.global_id,
                "clusterArns": self.cluster_arns,
                "cells": self.cells,
            },
            "ordersRecord": {"zoneId": self.zone_id, "name": f"orders.{self.domain}"},
        }

    def orders(self) -> dict[str, tuple[str, str]]:
        """Failover role -> (ALB the alias names, health check) as Route 53 serves them."""
        found = self.route53.list_resource_record_sets(HostedZoneId=self.zone_id)
        return {
            r["Failover"]: (r["AliasTarget"]["DNSName"].rstrip("."), r["HealthCheckId"])
            for r in found["ResourceRecordSets"]
            if r["Name"].rstrip(".") == f"orders.{self.domain}"
        }

    def cell(self, region: str) -> tuple[str, str]:
        return self.cells[region]["albDnsName"], self.cells[region]["healthCheckId"]


def _member(arn: str, writer: bool) -> dict[str, Any]:
    return {"DBClusterArn": arn, "IsWriter": writer}


def _described(stack: Stack, writer: str, status: str) -> dict[str, Any]:
    return {
        "GlobalClusters": [
            {
                "GlobalClusterIdentifier": stack.global_id,
                "Status": status,
                "GlobalClusterMembers": [
                    _member(arn, region == writer) for region, arn in stack.cluster_arns.items()
                ],
            }
        ]
    }


def _expect_describe(stub: Stubber, stack: Stack, writer: str, status: str) -> None:
    stub.add_response(
        "describe_global_clusters",
        _described(stack, writer, status),
        {"GlobalClusterIdentifier": stack.global_id},
    )


def _moved(stack: Stack) -> dict[str, Any]:
    """The response of a switchover or failover call (the global cluster, abridged)."""
    return {"GlobalCluster": {"GlobalClusterIdentifier": stack.global_id}}


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.persisted: list[str] = []
        self.slept: list[float] = []

    def say(self, line: str) -> None:
        self.lines.append(line)


def _clients(rds: Any, recorder: Recorder, clock: Iterator[float] | None = None) -> Clients:
    ticks = clock or iter(range(0, 10_000, 10))
    return Clients(
        rds=lambda region: rds,
        route53=lambda: boto3.client("route53", region_name="us-east-1"),
        persist_writer=recorder.persisted.append,
        sleep=recorder.slept.append,
        clock=lambda: float(next(ticks)),
    )


def test_moto_reports_the_writer_the_runbook_reads(moto_aws: str) -> None:
    stack = Stack(writer="us-east-1")
    rds = boto3.client("rds", region_name="eu-west-1")
    (cluster,) = rds.describe_global_clusters(GlobalClusterIdentifier=stack.global_id)[
        "GlobalClusters"
    ]
    writers = [m["DBClusterArn"] for m in cluster["GlobalClusterMembers"] if m["IsWriter"]]
    assert writers == [stack.cluster_arns["us-east-1"]]
    assert stack.orders() == {
        "PRIMARY": stack.cell("us-east-1"),
        "SECONDARY": stack.cell("eu-west-1"),
    }


def test_a_rerun_after_the_writer_moved_only_moves_orders_and_records_the_region(
    moto_aws: str,
) -> None:
    # The writer is already in eu-west-1 (an interrupted run, or a switchover from the
    # console) while orders still prefers us-east-1: moto answers every call of this path.
    stack = Stack(writer="eu-west-1")
    stack.route53.change_resource_record_sets(
        HostedZoneId=stack.zone_id,
        ChangeBatch={"Changes": orders_changes(stack.targets, "us-east-1")},
    )
    recorder = Recorder()
    rds = boto3.client("rds", region_name="eu-west-1")
    report = Runbook(stack.targets, _clients(rds, recorder), recorder.say).run(
        Request(stack="prod", to="eu-west-1")
    )
    assert report.previous_writer == "eu-west-1" and not report.changed_aurora
    assert report.changed_dns
    assert stack.orders() == {
        "PRIMARY": stack.cell("eu-west-1"),
        "SECONDARY": stack.cell("ap-southeast-2"),
    }
    assert recorder.persisted == ["eu-west-1"]
    assert recorder.lines[1] == "1. current writer: eu-west-1"
    assert "nothing to switch" in recorder.lines[2]


def test_a_planned_switchover_waits_for_the_new_writer_then_moves_orders(moto_aws: str) -> None:
    stack = Stack(writer="us-east-1")
    rds = boto3.client("rds", region_name="ap-southeast-2")
    target = stack.cluster_arns["ap-southeast-2"]
    with Stubber(rds) as stub:
        _expect_describe(stub, stack, "us-east-1", "available")
        stub.add_response(
            "switchover_global_cluster",
            _moved(stack),
            {"GlobalClusterIdentifier": stack.global_id, "TargetDbClusterIdentifier": target},
        )
        for writer, status in (
            ("us-east-1", "switching-over"),
            ("ap-southeast-2", "switching-over"),
            ("ap-southeast-2", "available"),
        ):
            _expect_describe(stub, stack, writer, status)
        recorder = Recorder()
        report = Runbook(stack.targets, _clients(rds, recorder), recorder.say).run(
            Request(stack="prod", to="ap-southeast-2", poll_seconds=7)
        )
        stub.assert_no_pending_responses()
    assert report.previous_writer == "us-east-1" and report.changed_aurora
    # Three reads of the global cluster, two waits between them; DNS only after "available".
    waits = [line for line in recorder.lines if line.startswith("3. ")]
    assert [w.split(": ", 1)[1] for w in waits] == [
        "status switching-over, writer us-east-1",
        "status switching-over, writer ap-southeast-2",
        "status available, writer ap-southeast-2",
    ]
    assert recorder.slept[:2] == [7, 7]
    assert stack.orders() == {
        "PRIMARY": stack.cell("ap-southeast-2"),
        "SECONDARY": stack.cell("us-east-1"),
    }
    assert recorder.persisted == ["ap-southeast-2"]


def test_an_unplanned_failover_allows_data_loss_and_a_timeout_leaves_dns_alone(
    moto_aws: str,
) -> None:
    stack = Stack(writer="us-east-1")
    rds = boto3.client("rds", region_name="eu-west-1")
    with Stubber(rds) as stub:
        _expect_describe(stub, stack, "us-east-1", "available")
        stub.add_response(
            "failover_global_cluster",
            _moved(stack),
            {
                "GlobalClusterIdentifier": stack.global_id,
                "TargetDbClusterIdentifier": stack.cluster_arns["eu-west-1"],
                "AllowDataLoss": True,
            },
        )
        for _ in range(3):
            _expect_describe(stub, stack, "us-east-1", "failing-over")
        recorder = Recorder()
        runbook = Runbook(stack.targets, _clients(rds, recorder), recorder.say)
        with pytest.raises(FailoverError, match=r"step 3: eu-west-1 is not the writer after 20 s"):
            runbook.run(Request(stack="prod", to="eu-west-1", mode="unplanned", timeout_seconds=20))
    assert stack.orders()["PRIMARY"] == stack.cell("us-east-1")
    assert recorder.persisted == []


def test_a_dry_run_prints_the_plan_and_calls_nothing(moto_aws: str) -> None:
    stack = Stack(writer="us-east-1")

    def refuse(*_: Any) -> Any:
        raise AssertionError("a dry run made a client")

    recorder = Recorder()
    clients = Clients(rds=refuse, route53=refuse, persist_writer=recorder.persisted.append)
    Runbook(stack.targets, clients, recorder.say).run(
        Request(stack="prod", to="eu-west-1", mode="unplanned", dry_run=True)
    )
    text = "\n".join(recorder.lines)
    assert "FailoverGlobalCluster with AllowDataLoss" in text
    assert stack.cluster_arns["eu-west-1"] in text
    assert "primary -> eu-west-1 cell, secondary -> ap-southeast-2 cell" in text
    assert "set shop3d:writerRegion=eu-west-1 in stack prod" in text
    assert all(line.startswith("[dry run]") for line in recorder.lines[:1])
    assert recorder.persisted == []
    assert stack.orders()["PRIMARY"] == stack.cell("us-east-1")


def test_the_command_reads_outputs_from_a_file_and_refuses_an_unknown_region(
    moto_aws: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    stack = Stack(writer="us-east-1")
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(stack.outputs()))
    assert main(["prod", "--to", "sa-east-1", "--outputs", str(path), "--dry-run"]) == 2
    assert "allowed: us-east-1, eu-west-1, ap-southeast-2" in capsys.readouterr().err
    assert main(["prod", "--to", "eu-west-1", "--outputs", str(path), "--dry-run"]) == 0
    assert "SwitchoverGlobalCluster (planned" in capsys.readouterr().out


def test_missing_outputs_are_named() -> None:
    with pytest.raises(TargetsError, match=r"outputs.failoverTargets is missing"):
        from_outputs({"regions": ["us-east-1"]})
    with pytest.raises(TargetsError, match=r"failoverTargets.cells.eu-west-1 is missing"):
        from_outputs(
            {
                "regions": ["us-east-1", "eu-west-1"],
                "failoverTargets": {
                    "globalClusterId": "g",
                    "clusterArns": {"us-east-1": _arn("us-east-1", "a")},
                    "cells": {
                        "us-east-1": {"albDnsName": "a", "albZoneId": "z", "healthCheckId": "h"}
                    },
                },
            }
        )


def test_the_failover_writes_the_records_a_deploy_with_that_writer_writes(
    program: ProgramFactory,
) -> None:
    """One fact, two writers: the runbook's UPSERT equals the program's records for
    shop3d:writerRegion=<to>, read from the program's own stack outputs."""
    overrides = {"domain": "shop.example.org", "storefrontDist": "skip"}
    deployed = program("prod", overrides)
    targets = from_outputs(deployed.outputs)
    for writer in REGIONS:
        moved = program("prod", {**overrides, "writerRegion": writer})
        records = {
            r.inputs["setIdentifier"]: r.inputs
            for r in moved.of_type(tokens.DNS_RECORD)
            if r.inputs["name"] == "orders.shop.example.org"
        }
        for change in orders_changes(targets, writer):
            upsert = change["ResourceRecordSet"]
            record = records[upsert["SetIdentifier"]]
            assert record["failoverRoutingPolicies"] == [{"type": upsert["Failover"]}]
            assert record["healthCheckId"] == upsert["HealthCheckId"]
            (alias,) = record["aliases"]
            assert (alias["name"], alias["zoneId"], alias["evaluateTargetHealth"]) == (
                upsert["AliasTarget"]["DNSName"],
                upsert["AliasTarget"]["HostedZoneId"],
                False,
            )
        assert orders_regions(REGIONS, writer)[0] == writer


def test_without_the_pulumi_cli_the_command_says_how_to_install_it_or_use_outputs(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pulumi on it, nor in ~/.pulumi/bin
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["prod", "--to", "eu-west-1", "--dry-run"]) == Exit.CLI_MISSING
    err = capsys.readouterr().err
    assert err.startswith("failover: the pulumi CLI is not installed")
    assert "--outputs outputs.json" in err


def test_an_unknown_stack_is_named_with_the_allowed_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["nope", "--to", "eu-west-1", "--dry-run"]) == Exit.ERROR
    assert "unknown stack 'nope': allowed are" in capsys.readouterr().err
