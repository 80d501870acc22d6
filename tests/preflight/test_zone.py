"""bootstrap-zone against moto's Route 53 (moto's server answers CreateHostedZone,
ListHostedZonesByName and GetHostedZone with a delegation set)."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from preflight.zone import bootstrap_zone, instructions, main


@pytest.fixture
def route53(moto_endpoint: str) -> Any:
    return boto3.client(
        "route53",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_bootstrap_creates_the_zone_once_and_prints_its_name_servers(route53: Any) -> None:
    domain = f"shop-{uuid.uuid4().hex[:8]}.example.com"
    first = bootstrap_zone(route53, domain)
    again = bootstrap_zone(route53, domain)
    assert first.created and not again.created
    assert again.zone_id == first.zone_id and "/" not in first.zone_id
    assert len(first.name_servers) == 4
    text = instructions(domain, first)
    assert f"pulumi config set shop3d:hostedZoneId {first.zone_id}" in text
    assert all(ns in text for ns in first.name_servers)
    zones = route53.list_hosted_zones_by_name(DNSName=domain + ".")["HostedZones"]
    assert [z["Name"] for z in zones if z["Name"] == domain + "."] == [domain + "."]


@pytest.mark.usefixtures("no_credentials")
def test_without_credentials_the_command_says_how_to_provide_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["example.com"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bootstrap-zone: no AWS credentials found: ") and "AWS_PROFILE" in err
    assert "Traceback" not in err
