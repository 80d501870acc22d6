"""The CloudFront distribution: origins, the assets origin group, behaviors, TLS, logging.

Origins: the assets buckets and the storefront buckets of the primary and a secondary region
(an origin group each, failing over on 5xx, 403 and 404; a missing object is a 403 without
s3:ListBucket), the API (api.<domain>, latency-routed to the nearest healthy cell) and the
writer paths (orders.<domain>, failover-routed to the Aurora writer's cell; checkout, order reads
and the admin API's stock writes must reach the writer). S3 is reached through Origin Access Control (sigv4, always signed); the
bucket policies that let this distribution read are built here too (`oac_read_statement`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.buckets import SecureBucket
from components.cell.alb import HTTP_PORT
from components.cell_network import HTTPS_PORT
from components.edge import policies
from components.edge.origin_shield import shield_region
from components.naming import global_name, physical, regional
from components.options import child
from handlers.shared import storage
from handlers.shared.limits import ACCOUNT_PATH_PREFIX, ADMIN_PATH_PREFIX
from handlers.shared.routes import FIRST_LOD_HEADER, INDEX_DOCUMENT, WEBHOOK_PATH
from stack_config.catalog import EDGE_REGION
from stack_config.config import PriceClass

FAILOVER_STATUS_CODES: Final = (500, 502, 503, 504, 403, 404)
ALL_METHODS: Final = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
READ_METHODS: Final = ("GET", "HEAD", "OPTIONS")
CACHED_METHODS: Final = ("GET", "HEAD")
ASSETS_PATH: Final = f"/{storage.ASSETS_PREFIX}*"
API_PATH: Final = "/api/*"
# The one list of paths routed to the Aurora writer's cell (the orders origin), uncached, ahead of
# /api/*: the cart service's routes that write or read orders (handlers/cart/api/routes.py),
# Stripe's webhook, and the admin product API, whose stock writes go to the inventory in the same
# request (a secondary cell's read-only cluster would answer them with a 503) and whose editors
# read their own writes. Reads of the admin API go there too: CloudFront routes by path only.
WRITER_PATHS: Final = (
    "/api/checkout",
    "/api/orders",
    "/api/orders/*",
    WEBHOOK_PATH,
    ADMIN_PATH_PREFIX + "*",
    # Signing in (password or the managed-login callback) adopts the guest's orders in Aurora.
    ACCOUNT_PATH_PREFIX + "*",
)
# With the web tier on, these go to the cells (the page renderer, handlers.pages) and the
# default behaviour too (/ and the storefront's own routes); the built bundles stay on S3.
PAGE_PATHS: Final = ("/products/*", "/categories/*", "/sitemap.xml", "/robots.txt")
STATIC_PATH: Final = "/static/*"  # storefront/vite.config.ts assetsDir
FIRST_LOD_FUNCTION: Final = Path(__file__).with_name("first_lod.js")
# Without the web tier: the storefront's routes rewritten to the shell (the rule is in the file).
SPA_FALLBACK_FUNCTION: Final = Path(__file__).with_name("spa_fallback.js")
FUNCTION_RUNTIME: Final = "cloudfront-js-2.0"
MIN_VIEWER_TLS: Final = "TLSv1.2_2021"
ORIGIN_TLS: Final = ("TLSv1.2",)
# The cart API answers well within this; longer waits are a failing cell, better retried.
ORIGIN_READ_TIMEOUT_SECONDS: Final = 30
ASSETS_GROUP: Final = "assets"
STOREFRONT_GROUP: Final = "storefront"
# Standard logging v2 writes under this prefix of the log bucket, the one its policy admits.
ACCESS_LOG_PREFIX: Final = "cloudfront"


@dataclass(frozen=True)
class BucketOrigin:
    origin_id: str
    bucket: SecureBucket
    region: str


@dataclass(frozen=True)
class ApiOrigin:
    origin_id: str
    domain_name: pulumi.Input[str]
    header_name: str
    header_value: pulumi.Input[str]
    # False only without a domain: the ALBs then have no certificate a CA would issue and
    # listen on HTTP (components/cell/alb.py), a dev-only setup the policy pack flags.
    https: bool = True


@dataclass(frozen=True)
class DistributionSettings:
    price_class: PriceClass
    # Origin Shield in front of the S3 origins (prod): one regional cache fills the edges.
    shield: bool
    aliases: Sequence[str]
    # Issued us-east-1 certificate for the aliases; None: CloudFront's own certificate.
    certificate_arn: pulumi.Input[str] | None
    web_acl_arn: pulumi.Input[str]


def origin_access_control(parent: pulumi.Resource) -> aws.cloudfront.OriginAccessControl:
    return aws.cloudfront.OriginAccessControl(
        global_name("edge", "oac"),
        name=physical("s3"),
        description="shop3d CloudFront to S3: always signed (sigv4)",
        origin_access_control_origin_type="s3",
        signing_behavior="always",
        signing_protocol="sigv4",
        opts=child(parent),
    )


def oac_read_statement(
    bucket: SecureBucket, distribution_arn: pulumi.Input[str], prefix: str = ""
) -> iam.Statement:
    """Let only this distribution read `bucket`'s objects under `prefix`."""
    return {
        "Sid": "CloudFrontDistributionReads",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": iam.objects(bucket.arn, prefix),
        "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
    }


def _s3_origin(
    origin: BucketOrigin, oac_id: pulumi.Input[str], shield: bool
) -> aws.cloudfront.DistributionOriginArgsDict:
    args: aws.cloudfront.DistributionOriginArgsDict = {
        "origin_id": origin.origin_id,
        "domain_name": origin.bucket.bucket.bucket_regional_domain_name,
        "origin_access_control_id": oac_id,
        # OAC replaces the legacy origin access identity, which stays empty.
        "s3_origin_config": {"origin_access_identity": ""},
    }
    if shield:
        args["origin_shield"] = {
            "enabled": True,
            "origin_shield_region": shield_region(origin.region),
        }
    return args


def _api_origin(api: ApiOrigin) -> aws.cloudfront.DistributionOriginArgsDict:
    return {
        "origin_id": api.origin_id,
        "domain_name": api.domain_name,
        "custom_origin_config": {
            "http_port": HTTP_PORT,
            "https_port": HTTPS_PORT,
            "origin_protocol_policy": "https-only" if api.https else "http-only",
            "origin_ssl_protocols": list(ORIGIN_TLS),
            "origin_read_timeout": ORIGIN_READ_TIMEOUT_SECONDS,
        },
        "custom_headers": [{"name": api.header_name, "value": api.header_value}],
    }


def _behavior(
    target: str,
    methods: Sequence[str],
    cache_policy: pulumi.Input[str],
    headers_policy: pulumi.Input[str],
    origin_request_policy: str | None = None,
) -> aws.cloudfront.DistributionDefaultCacheBehaviorArgsDict:
    behavior: aws.cloudfront.DistributionDefaultCacheBehaviorArgsDict = {
        "target_origin_id": target,
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": list(methods),
        "cached_methods": list(CACHED_METHODS),
        "compress": True,
        "cache_policy_id": cache_policy,
        "response_headers_policy_id": headers_policy,
    }
    if origin_request_policy is not None:
        behavior["origin_request_policy_id"] = origin_request_policy
    return behavior


def _ordered(
    path: str,
    behavior: aws.cloudfront.DistributionDefaultCacheBehaviorArgsDict,
) -> aws.cloudfront.DistributionOrderedCacheBehaviorArgsDict:
    return {"path_pattern": path, **behavior}


def _viewer_certificate(
    certificate_arn: pulumi.Input[str] | None,
) -> aws.cloudfront.DistributionViewerCertificateArgsDict:
    if certificate_arn is None:
        return {"cloudfront_default_certificate": True}
    return {
        "acm_certificate_arn": certificate_arn,
        "ssl_support_method": "sni-only",
        "minimum_protocol_version": MIN_VIEWER_TLS,
    }


def _failover_target(
    group_id: str,
    members: Sequence[BucketOrigin],
    groups: list[aws.cloudfront.DistributionOriginGroupArgsDict],
) -> str:
    """The origin a behavior targets: a group of `members` (primary first), or the only one."""
    if len(members) == 1:
        return members[0].origin_id
    groups.append(
        {
            "origin_id": group_id,
            "failover_criteria": {"status_codes": list(FAILOVER_STATUS_CODES)},
            "members": [{"origin_id": o.origin_id} for o in members],
        }
    )
    return group_id


def distribution(
    parent: pulumi.Resource,
    settings: DistributionSettings,
    assets: Sequence[BucketOrigin],
    storefront: Sequence[BucketOrigin],
    api: ApiOrigin,
    orders: ApiOrigin,
    pages: bool = False,
) -> aws.cloudfront.Distribution:
    """`assets` and `storefront`: the primary region's bucket first, then its failover (one
    bucket: no group). `pages`: the cells' web tier renders the pages (PAGE_PATHS and /)."""
    oac = origin_access_control(parent)
    assets_cache = policies.immutable_assets_cache_policy(parent)
    headers = policies.security_headers_policy(parent).id
    origins = [
        *(_s3_origin(o, oac.id, settings.shield) for o in [*assets, *storefront]),
        _api_origin(api),
        _api_origin(orders),
    ]
    groups: list[aws.cloudfront.DistributionOriginGroupArgsDict] = []
    assets_target = _failover_target(ASSETS_GROUP, assets, groups)
    site_target = _failover_target(STOREFRONT_GROUP, storefront, groups)

    def dynamic(
        path: str,
        origin: ApiOrigin,
    ) -> aws.cloudfront.DistributionOrderedCacheBehaviorArgsDict:
        return _ordered(
            path,
            _behavior(
                origin.origin_id,
                ALL_METHODS,
                policies.CACHING_DISABLED,
                headers,
                policies.ALL_VIEWER_EXCEPT_HOST,
            ),
        )

    site_behavior = _behavior(site_target, CACHED_METHODS, policies.CACHING_OPTIMIZED, headers)
    default_behavior = site_behavior
    page_behaviors: list[aws.cloudfront.DistributionOrderedCacheBehaviorArgsDict] = []
    if not pages:
        # A copy, so the /static/* behaviour (web tier on only) never carries the rewrite.
        default_behavior = {
            **site_behavior,
            "function_associations": _on_viewer_request(spa_fallback_function(parent)),
        }
    else:
        page = _behavior(
            api.origin_id,
            CACHED_METHODS,
            policies.page_cache_policy(parent, FIRST_LOD_HEADER).id,
            headers,
        )
        page["function_associations"] = _on_viewer_request(first_lod_function(parent))
        default_behavior = page
        page_behaviors = [
            _ordered(STATIC_PATH, site_behavior),
            *(_ordered(path, page) for path in PAGE_PATHS),
        ]

    return aws.cloudfront.Distribution(
        global_name("edge", "cdn"),
        enabled=True,
        comment=f"shop3d {pulumi.get_stack()}",
        aliases=list(settings.aliases) or None,
        # Also with the pages: a request for / reaches the cell as /index.html, which the
        # renderer answers with the grid (policy rule cloudfront-default-root-object).
        default_root_object=INDEX_DOCUMENT,
        http_version="http2and3",
        is_ipv6_enabled=True,
        price_class=settings.price_class,
        web_acl_id=settings.web_acl_arn,
        origins=origins,
        origin_groups=groups or None,
        default_cache_behavior=default_behavior,
        ordered_cache_behaviors=[
            *page_behaviors,
            _ordered(ASSETS_PATH, _behavior(assets_target, READ_METHODS, assets_cache.id, headers)),
            *(dynamic(path, orders) for path in WRITER_PATHS),
            dynamic(API_PATH, api),
        ],
        restrictions={"geo_restriction": {"restriction_type": "none"}},
        viewer_certificate=_viewer_certificate(settings.certificate_arn),
        opts=child(parent),
    )


def _on_viewer_request(
    function: aws.cloudfront.Function,
) -> list[aws.cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgsDict]:
    return [{"event_type": "viewer-request", "function_arn": function.arn}]


def _viewer_function(
    parent: pulumi.Resource, name: str, comment: str, code: Path
) -> aws.cloudfront.Function:
    return aws.cloudfront.Function(
        global_name("edge", name),
        runtime=FUNCTION_RUNTIME,
        comment=comment,
        code=code.read_text("utf-8"),
        publish=True,
        opts=child(parent),
    )


def first_lod_function(parent: pulumi.Resource) -> aws.cloudfront.Function:
    """The viewer-request function choosing the first LOD from the browser's hints."""
    return _viewer_function(
        parent,
        "first-lod",
        "shop3d: first LOD and texture size from Save-Data, ECT, Downlink, memory, DPR",
        FIRST_LOD_FUNCTION,
    )


def spa_fallback_function(parent: pulumi.Resource) -> aws.cloudfront.Function:
    """The viewer-request function serving the storefront's shell for its own routes."""
    return _viewer_function(
        parent,
        "spa-fallback",
        "shop3d: storefront routes without a web tier get /index.html",
        SPA_FALLBACK_FUNCTION,
    )


def access_logs(
    parent: pulumi.Resource, cdn: aws.cloudfront.Distribution, logs: SecureBucket
) -> aws.cloudwatch.LogDelivery:
    """Standard logging v2 (CloudWatch vended logs) into the log bucket under `cloudfront/`:
    the legacy logging needs ACLs, which every shop3d bucket has off. `parent` must carry the
    us-east-1 provider, where CloudFront's delivery source lives."""
    name = physical("cdn")
    source = aws.cloudwatch.LogDeliverySource(
        regional("edge", EDGE_REGION, "access-log-source"),
        name=name,
        log_type="ACCESS_LOGS",
        resource_arn=cdn.arn,
        opts=child(parent),
    )
    destination = aws.cloudwatch.LogDeliveryDestination(
        regional("edge", EDGE_REGION, "access-log-destination"),
        name=name,
        output_format="parquet",
        delivery_destination_configuration={
            "destination_resource_arn": pulumi.Output.concat(logs.arn, "/", ACCESS_LOG_PREFIX)
        },
        opts=child(parent),
    )
    return aws.cloudwatch.LogDelivery(
        regional("edge", EDGE_REGION, "access-log-delivery"),
        delivery_source_name=source.name,
        delivery_destination_arn=destination.arn,
        s3_delivery_configurations=[
            {
                "suffix_path": "{DistributionId}/{yyyy}/{MM}/{dd}/{HH}",
                "enable_hive_compatible_path": False,
            }
        ],
        opts=child(parent),
    )
