"""GlobalEdge (`shop3d:edge:GlobalEdge`): what users reach first, created once per stack.

CloudFront (HTTP/2 and HTTP/3, IPv6, TLS 1.2+, OAC, origin groups over two regions' assets and
storefront buckets, the API behind the secret origin header) with its WAFv2 web ACL; with a
domain, the Route 53 zone, the us-east-1 certificate and the records that tie the cells
together. Created under the us-east-1 provider (certificate, WAF, CloudFront's log source);
the buckets and their policies take their own region's provider.

Without `shop3d:domain`: no zone, no certificate, no records; the site is served on
CloudFront's own hostname and the API and orders origins are the primary region's ALB, over
HTTP (no certificate a CA would issue for the ALB's name; dev only, see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.cell.alb import alb_port
from components.cell_network import HTTPS_PORT
from components.edge import dns, waf, zone_security
from components.edge.distribution import (
    ApiOrigin,
    BucketOrigin,
    DistributionSettings,
    access_logs,
    distribution,
    oac_read_statement,
)
from components.edge.storefront import SiteBucket, storefront_bucket, upload_site
from components.interfaces import CellEndpoint, RegionDataOutputs
from components.naming import API_LABEL, ORDERS_LABEL, global_name, physical
from components.options import child
from handlers.shared import storage
from stack_config.config import StackConfig


@dataclass(frozen=True)
class GlobalEdgeArgs:
    config: StackConfig
    # Each region's provider (its buckets and their policies), and us-east-1's for the edge.
    providers: Mapping[str, aws.Provider]
    edge_provider: aws.Provider
    # GlobalData.region_outputs(region) for every configured region.
    data: Mapping[str, RegionDataOutputs]
    cells: Mapping[str, CellEndpoint]
    # The secret header CloudFront adds to API requests (components/origin_secret.py).
    origin_header_name: str
    origin_header_value: pulumi.Input[str]


class GlobalEdge(pulumi.ComponentResource):
    distribution_domain: pulumi.Output[str]
    site_url: pulumi.Output[str]
    api_url: pulumi.Output[str]
    health_check_ids: dict[str, pulumi.Output[str]]
    storefront_files: int

    def __init__(
        self, name: str, args: GlobalEdgeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "shop3d:edge:GlobalEdge",
            name,
            None,
            pulumi.ResourceOptions.merge(pulumi.ResourceOptions(provider=args.edge_provider), opts),
        )
        config = args.config
        primary = config.primary.name
        secondary = config.secondaries[0].name if config.secondaries else None
        missing = [r for r in config.region_names if r not in args.cells]
        if missing:
            raise ValueError(
                f"GlobalEdge needs a cell in every configured region; missing {', '.join(missing)}"
            )

        firewall = waf.firewall(self, config.waf_rate_limit, config.log_retention_days)
        zone = (
            dns.hosted_zone(config.domain, config.hosted_zone_id)
            if config.domain and config.hosted_zone_id
            else None
        )
        aliases = (
            [config.domain, dns.subdomain(dns.WWW_LABEL, config.domain)] if config.domain else []
        )
        certificate = dns.cloudfront_certificate(self, zone, aliases) if zone else None
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id
        signing = (
            zone_security.zone_signing(self, zone, account_id, config.deletion_protection)
            if zone is not None and config.dnssec
            else None
        )
        if zone is not None and config.dns_query_logging:
            zone_security.zone_query_logging(self, zone, account_id, config.log_retention_days)

        # The primary region's buckets, and the next region's to fail over to.
        origin_regions = [primary] if secondary is None else [primary, secondary]
        sites = {
            r: SiteBucket(
                storefront_bucket(
                    self,
                    r,
                    args.providers[r],
                    args.data[r].key_arn,
                    args.data[r].buckets.logs,
                    config.deletion_protection,
                ),
                args.data[r].key_arn,
            )
            for r in origin_regions
        }

        def api_origin(label: str) -> ApiOrigin:
            """<label>.<domain>, or the primary region's ALB when there is no domain."""
            return ApiOrigin(
                origin_id=label,
                domain_name=dns.subdomain(label, config.domain)
                if config.domain
                else args.cells[primary].alb_dns_name,
                header_name=args.origin_header_name,
                header_value=args.origin_header_value,
                https=alb_port(config.domain) == HTTPS_PORT,
            )

        cdn = distribution(
            self,
            DistributionSettings(
                price_class=config.price_class,
                shield=config.is_prod,
                aliases=aliases,
                certificate_arn=certificate,
                web_acl_arn=firewall.acl.arn,
            ),
            assets=[
                BucketOrigin(f"assets-{r}", args.data[r].buckets.assets, r) for r in origin_regions
            ],
            storefront=[
                BucketOrigin(f"storefront-{r}", site.bucket, r) for r, site in sites.items()
            ],
            api=api_origin(API_LABEL),
            orders=api_origin(ORDERS_LABEL),
            pages=config.web_tier,
        )
        # Every region's assets bucket admits this distribution (under assets/ only), so the
        # failover member can be moved to any secondary without a policy change.
        for region in config.region_names:
            assets = args.data[region].buckets.assets
            assets.attach_policy(
                [oac_read_statement(assets, cdn.arn, storage.ASSETS_PREFIX)], parent=self
            )
        for site in sites.values():
            site.bucket.attach_policy([oac_read_statement(site.bucket, cdn.arn)], parent=self)
        access_logs(self, cdn, args.data[primary].buckets.logs)
        if config.shield_advanced:
            aws.shield.Protection(
                global_name("edge", "shield"),
                name=physical("cdn"),
                resource_arn=cdn.arn,
                opts=child(self),
            )
        # The cells' web tiers (when on) serve the same files, synced from the primary assets
        # bucket.
        web_tier_source = (
            [
                SiteBucket(
                    args.data[primary].buckets.assets,
                    args.data[primary].key_arn,
                    prefix=storage.STOREFRONT_PREFIX,
                )
            ]
            if config.web_tier
            else []
        )
        self.storefront_files = upload_site(
            [*sites.values(), *web_tier_source], config.storefront_dist
        )

        if zone is not None:
            dns.cloudfront_aliases(self, zone, aliases, cdn)
            dns.api_latency_records(self, zone, args.cells)
            dns.orders_failover_records(
                self, zone, config.region_names, config.writer_region, args.cells
            )
            dns.cell_records(self, zone, primary, args.cells)
            dns.ses_dkim_records(self, zone, args.cells)

        self.distribution_domain = cdn.domain_name
        self.distribution_arn = cdn.arn
        self.site_url = (
            pulumi.Output.from_input(f"https://{config.domain}")
            if config.domain
            else pulumi.Output.concat("https://", cdn.domain_name)
        )
        self.api_url = pulumi.Output.concat(self.site_url, "/api/")
        self.health_check_ids = {r: cell.health_check_id for r, cell in args.cells.items()}
        # The stack outputs (exported by __main__ as they are), registered here too.
        self.outputs: dict[str, object] = {
            "distributionDomain": self.distribution_domain,
            "distributionArn": self.distribution_arn,
            "siteUrl": self.site_url,
            "apiUrl": self.api_url,
            "healthCheckIds": self.health_check_ids,
            "failoverSeconds": dns.failover_seconds(config.health_check_interval),
            "storefrontBuckets": {r: site.bucket.id for r, site in sites.items()},
            "storefrontFiles": self.storefront_files,
            "webAclArn": firewall.acl.arn,
            # The DS record for the registrar (None: the zone is not signed by the stack).
            "dnssecDsRecord": signing.ds_record if signing is not None else None,
        }
        # Where `./shop3d failover` moves orders.<domain> (None: no domain, no record).
        self.outputs["ordersRecord"] = (
            {"zoneId": zone.zone_id, "name": dns.subdomain(ORDERS_LABEL, zone.domain)}
            if zone is not None
            else None
        )
        self.register_outputs(self.outputs)
