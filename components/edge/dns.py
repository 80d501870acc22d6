"""Route 53 for the shop's domain: the zone, CloudFront's certificate, and the records that tie
the cells together.

- apex and www: A and AAAA aliases to CloudFront;
- api.<domain>: one latency record per region, aliased to that region's ALB with that cell's
  own health check (not evaluate-target-health: the ALB's target groups include the web tier,
  which the record does not serve), so an unhealthy cell drops out and its users get the
  next-nearest healthy one;
- orders.<domain>: failover routing, the record "primary" on the Aurora writer's region
  (shop3d:writerRegion, the primary unless a failover moved it), "secondary" on the region after
  it. Every cell can check out (its cluster forwards writes to the writer); the writer's cell
  does it without a cross-region round trip per statement. The set identifiers name the role,
  not the region, so `./shop3d failover` moves the primary with one UPSERT of both records;
- <region>.api.<domain>: each cell by name (operators pin a region with it), and the CNAMEs
  that validate the cells' ALB certificates (the zone's owner writes them).

Failover takes at most `failover_seconds(interval)`: the health checkers need FAILURE_THRESHOLD
failed checks `interval` seconds apart, then resolvers drop the old answer after its TTL.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from components.cell.health import FAILURE_THRESHOLD
from components.interfaces import CellEndpoint, ValidationOption
from components.naming import API_LABEL, ORDERS_LABEL, global_name, regional
from components.options import child
from stack_config.routing import ORDERS_ROLES, orders_regions, set_identifier

WWW_LABEL: Final = "www"
ALIAS_TYPES: Final = ("A", "AAAA")
# CNAMEs that ACM asks for: short TTL so a failed validation can be retried quickly.
VALIDATION_TTL: Final = 300
# Route 53 answers alias records to an ALB with the ALB's own TTL, which AWS fixes at 60 s:
# resolvers may keep sending users to a failed region this long after the switch.
ALB_ALIAS_TTL_SECONDS: Final = 60


def failover_seconds(interval: int) -> int:
    """Worst case from a cell's failure to users resolving to another cell."""
    return interval * FAILURE_THRESHOLD + ALB_ALIAS_TTL_SECONDS


@dataclass(frozen=True)
class Zone:
    domain: str
    zone_id: pulumi.Input[str]


def subdomain(label: str, domain: str) -> str:
    return f"{label}.{domain}"


def hosted_zone(domain: str, zone_id: str) -> Zone:
    """The zone from config. The program never creates it: DNS-validated certificates issue
    only once the registrar delegates to the zone's name servers, which a run that created
    the zone could not have printed yet (it would wait for ACM's timeout). `./shop3d
    bootstrap-zone` creates it first; stack_config refuses a domain without it."""
    return Zone(domain=domain, zone_id=zone_id)


def _validation_records(
    parent: pulumi.Resource,
    zone: Zone,
    prefix: str,
    options: pulumi.Output[Sequence[ValidationOption]],
    names: Sequence[str],
) -> list[aws.route53.Record]:
    """The CNAME ACM asks for, for each of `names` on a certificate."""
    records = []
    for index, name in enumerate(names):
        option = options.apply(functools.partial(_validation_option, name))
        records.append(
            aws.route53.Record(
                f"{prefix}-{index}",
                zone_id=zone.zone_id,
                name=option.resource_record_name,
                type=option.resource_record_type,
                records=[option.resource_record_value],
                ttl=VALIDATION_TTL,
                # ACM gives a name the same CNAME in every region ("the CNAME validation token
                # works for any AWS Region", ACM user guide, DNS validation): another
                # certificate for the name may have written it already.
                allow_overwrite=True,
                opts=child(parent),
            )
        )
    return records


def cloudfront_certificate(
    parent: pulumi.Resource, zone: Zone, names: Sequence[str]
) -> pulumi.Output[str]:
    """An ACM certificate for `names`, DNS-validated in the zone; `parent` must carry the
    us-east-1 provider (CloudFront reads certificates only there). Returns the ARN once the
    certificate is issued, so the distribution waits for it."""
    primary, *alternatives = names
    certificate = aws.acm.Certificate(
        global_name("edge", "certificate"),
        domain_name=primary,
        subject_alternative_names=alternatives,
        validation_method="DNS",
        key_algorithm="EC_prime256v1",
        opts=child(parent),
    )
    records = _validation_records(
        parent,
        zone,
        global_name("edge", "certificate-validation"),
        certificate.domain_validation_options,
        names,
    )
    validation = aws.acm.CertificateValidation(
        global_name("edge", "certificate-validation"),
        certificate_arn=certificate.arn,
        validation_record_fqdns=[r.fqdn for r in records],
        opts=child(parent),
    )
    return validation.certificate_arn


def _validation_option(
    name: str,
    options: Sequence[aws.acm.outputs.CertificateDomainValidationOption],
) -> aws.acm.outputs.CertificateDomainValidationOption:
    return next(o for o in options if o.domain_name == name)


def cloudfront_aliases(
    parent: pulumi.Resource,
    zone: Zone,
    names: Sequence[str],
    distribution: aws.cloudfront.Distribution,
) -> list[aws.route53.Record]:
    """A and AAAA alias records of each name to the distribution (IPv6 is on)."""
    records = []
    for name in names:
        label = "apex" if name == zone.domain else name.removesuffix("." + zone.domain)
        for record_type in ALIAS_TYPES:
            records.append(
                aws.route53.Record(
                    global_name("edge", "alias", label, record_type.lower()),
                    zone_id=zone.zone_id,
                    name=name,
                    type=record_type,
                    aliases=[
                        {
                            "name": distribution.domain_name,
                            "zone_id": distribution.hosted_zone_id,
                            "evaluate_target_health": False,
                        }
                    ],
                    opts=child(parent),
                )
            )
    return records


def _alb_alias(cell: CellEndpoint) -> aws.route53.RecordAliasArgsDict:
    """The record's health is the cell's own health check (attached by the caller); the ALB's
    target health would mix in the web tier's target group."""
    return {"name": cell.alb_dns_name, "zone_id": cell.alb_zone_id, "evaluate_target_health": False}


def api_latency_records(
    parent: pulumi.Resource, zone: Zone, cells: Mapping[str, CellEndpoint]
) -> list[aws.route53.Record]:
    """api.<domain>: one latency record per region, each with its health check."""
    return [
        aws.route53.Record(
            regional("edge", region, "api-latency"),
            zone_id=zone.zone_id,
            name=subdomain(API_LABEL, zone.domain),
            type="A",
            set_identifier=region,
            latency_routing_policies=[{"region": region}],
            health_check_id=cell.health_check_id,
            aliases=[_alb_alias(cell)],
            opts=child(parent),
        )
        for region, cell in cells.items()
    ]


def orders_failover_records(
    parent: pulumi.Resource,
    zone: Zone,
    regions: Sequence[str],
    writer: str,
    cells: Mapping[str, CellEndpoint],
) -> list[aws.route53.Record]:
    """orders.<domain>: "primary" on the writer's region, "secondary" on the next one. A
    single-region stack has nothing to fail over to: one plain alias record."""
    name = subdomain(ORDERS_LABEL, zone.domain)
    primary, secondary = orders_regions(regions, writer)
    if secondary is None:
        return [
            aws.route53.Record(
                regional("edge", primary, "orders"),
                zone_id=zone.zone_id,
                name=name,
                type="A",
                aliases=[_alb_alias(cells[primary])],
                opts=child(parent),
            )
        ]
    return [
        aws.route53.Record(
            global_name("edge", "orders-failover", role.lower()),
            zone_id=zone.zone_id,
            name=name,
            type="A",
            set_identifier=set_identifier(role),
            failover_routing_policies=[{"type": role}],
            health_check_id=cells[region].health_check_id,
            aliases=[_alb_alias(cells[region])],
            opts=child(parent),
        )
        for role, region in zip(ORDERS_ROLES, (primary, secondary), strict=True)
    ]


def cell_records(
    parent: pulumi.Resource, zone: Zone, primary: str, cells: Mapping[str, CellEndpoint]
) -> list[aws.route53.Record]:
    """<region>.api.<domain> per cell, and the validation CNAMEs of each cell's ALB certificate
    (api.<domain>, orders.<domain> and <region>.api.<domain>). The api and orders CNAMEs are the
    same in every region, so they are written once, from the primary's certificate."""
    api = subdomain(API_LABEL, zone.domain)
    orders = subdomain(ORDERS_LABEL, zone.domain)
    records = []
    for region, cell in cells.items():
        regional_name = subdomain(region, api)
        records.append(
            aws.route53.Record(
                regional("edge", region, "api"),
                zone_id=zone.zone_id,
                name=regional_name,
                type="A",
                aliases=[_alb_alias(cell)],
                opts=child(parent),
            )
        )
        options = cell.certificate_validation_options
        if options is not None:
            # Every cell's certificate names api.<domain> and orders.<domain> (either may
            # route to it); their CNAMEs are the same in every region: written once.
            names = [api, orders, regional_name] if region == primary else [regional_name]
            records += _validation_records(
                parent, zone, regional("edge", region, "alb-certificate-validation"), options, names
            )
    return records


# Easy DKIM gives each SES identity three tokens, each published as a CNAME
# (https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html).
EASY_DKIM_TOKENS: Final = 3


def _nth(index: int, values: Sequence[str]) -> str:
    return values[index]


def ses_dkim_records(
    parent: pulumi.Resource, zone: Zone, cells: Mapping[str, CellEndpoint]
) -> list[aws.route53.Record]:
    """<token>._domainkey.<domain> -> <token>.dkim.amazonses.com for every cell's SES identity
    (SES identities are regional: each region's has its own tokens)."""
    records = []
    for region, cell in cells.items():
        tokens = cell.dkim_tokens
        if tokens is None:
            continue
        for index in range(EASY_DKIM_TOKENS):
            token = tokens.apply(functools.partial(_nth, index))
            records.append(
                aws.route53.Record(
                    regional("edge", region, "dkim", str(index)),
                    zone_id=zone.zone_id,
                    name=token.apply(lambda value: f"{value}._domainkey.{zone.domain}"),
                    type="CNAME",
                    ttl=1800,
                    records=[token.apply(lambda value: f"{value}.dkim.amazonses.com")],
                    opts=child(parent),
                )
            )
    return records
