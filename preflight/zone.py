"""`./shop3d bootstrap-zone <domain>`: create (or find) the domain's public hosted zone and print
its id and name servers.

The stack never creates the zone: its certificates validate by DNS during the run, which
succeeds only once the registrar delegates the domain to the zone's name servers; a run that
created the zone would wait on ACM until its timeout. So the zone comes first, the operator
delegates, then sets shop3d:hostedZoneId (docs/deploying.md).
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from preflight.account import aws_failure


@dataclass(frozen=True)
class HostedZone:
    zone_id: str  # without the "/hostedzone/" prefix
    name_servers: tuple[str, ...]
    created: bool


def _bare(zone_id: str) -> str:
    return zone_id.rsplit("/", 1)[-1]


def find_zone(route53: Any, domain: str) -> str | None:
    """The public zone named `domain`, if one exists (several: the first, as Route 53 lists)."""
    wanted = domain.rstrip(".").lower() + "."
    listed = route53.list_hosted_zones_by_name(DNSName=wanted, MaxItems="10")
    for zone in listed["HostedZones"]:
        if zone["Name"].lower() == wanted and not zone.get("Config", {}).get("PrivateZone"):
            return _bare(zone["Id"])
    return None


def bootstrap_zone(route53: Any, domain: str) -> HostedZone:
    """Find the domain's public zone or create it; idempotent."""
    zone_id = find_zone(route53, domain)
    created = zone_id is None
    if zone_id is None:
        response = route53.create_hosted_zone(
            Name=domain,
            CallerReference=f"shop3d-{uuid.uuid4()}",
            HostedZoneConfig={"Comment": "shop3d storefront, API and orders", "PrivateZone": False},
        )
        zone_id = _bare(response["HostedZone"]["Id"])
    name_servers = tuple(route53.get_hosted_zone(Id=zone_id)["DelegationSet"]["NameServers"])
    return HostedZone(zone_id=zone_id, name_servers=name_servers, created=created)


def instructions(domain: str, zone: HostedZone) -> str:
    verb = "created" if zone.created else "found"
    servers = "\n".join(f"  {ns}" for ns in zone.name_servers)
    return (
        f"{verb} the hosted zone {zone.zone_id} for {domain}\n"
        f"1. At the registrar of {domain}, set its name servers to:\n{servers}\n"
        f"2. pulumi config set shop3d:hostedZoneId {zone.zone_id} --stack <stack>\n"
        "3. ./shop3d preflight <stack>   (checks the delegation before the first deploy)"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: ./shop3d bootstrap-zone <domain>", file=sys.stderr)
        return 2
    domain = argv[0].rstrip(".").lower()
    try:
        zone = bootstrap_zone(boto3.client("route53"), domain)
    except (BotoCoreError, ClientError) as error:
        print(f"bootstrap-zone: {aws_failure(error)}", file=sys.stderr)
        return 1
    print(instructions(domain, zone))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
