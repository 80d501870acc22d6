"""GlobalEdge over the mocked program graph: Route 53 routing, CloudFront origins and behaviors,
bucket policies, us-east-1 placement, WAF, and the storefront upload, for dev, prod and
generated region lists."""

from __future__ import annotations

import base64
import fnmatch
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.edge.distribution import (
    FAILOVER_STATUS_CODES,
    SPA_FALLBACK_FUNCTION,
    WRITER_PATHS,
)
from components.edge.origin_shield import shield_region
from components.edge.policies import ALL_VIEWER_EXCEPT_HOST, CACHING_DISABLED
from components.edge.waf import MANAGED_GROUPS, web_acl_rules
from handlers.cart.api import account_routes, admin_products
from handlers.shared import storage
from handlers.shared.cache_control import IMMUTABLE, REVALIDATE
from handlers.shared.limits import ACCOUNT_PATH_PREFIX, ADMIN_MAX_BODY_BYTES, ADMIN_PATH_PREFIX
from handlers.shared.routes import INDEX_DOCUMENT, WEBHOOK_PATH
from policy import tokens
from stack_config.catalog import REGIONS

# Pulumi's marker for a secret value in recorded inputs (the origin header makes the whole
# origins list secret).
SECRET_SIG = "4dabf18193072939515e22adb298388d"
DOMAIN = "shop.example.org"
ZONE_ID = "Z0EXISTING1234"
OBJECT = tokens.BUCKET_OBJECT
SITE = {
    "index.html": "<!doctype html><title>shop3d</title>",
    "static/index-Ab12Cd34.js": "console.log(1)",
    "static/draco_decoder-Zz99Yy_8.wasm": "\0asm",
}

RECORD = tokens.DNS_RECORD
DISTRIBUTION = tokens.DISTRIBUTION
FUNCTION = "aws:cloudfront/function:Function"


def reveal(value: Any) -> Any:
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return reveal(value["value"])
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("storefront-dist")
    for key, text in SITE.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_text(text)
    return str(root)


@pytest.fixture(scope="module")
def dev(program, site):
    """dev as configured: no domain."""
    return program("dev", {"storefrontDist": site})


@pytest.fixture(scope="module")
def prod(program, site):
    """prod as configured: three regions, a domain in the zone bootstrap-zone created."""
    return program("prod", {"storefrontDist": site})


@pytest.fixture(scope="module")
def prod_without_pages(program, site):
    """prod with `webTier: false`: the storefront bucket is the default origin."""
    return program("prod", {"storefrontDist": site, "webTier": False})


@pytest.fixture(scope="module")
def existing_zone(program):
    """dev with a domain in an existing zone, Shield Advanced on, a custom rate limit."""
    return program(
        "dev",
        {
            "domain": DOMAIN,
            "hostedZoneId": ZONE_ID,
            "shieldAdvanced": True,
            "wafRateLimit": 500,
            "storefrontDist": "skip",
        },
    )


def distribution(run):
    (cdn,) = run.of_type(DISTRIBUTION)
    return reveal(cdn.inputs)


def records_named(run, name: str):
    return [r.inputs for r in run.of_type(RECORD) if r.inputs["name"] == name]


def domain_of(run):
    return run.outputs["siteUrl"].removeprefix("https://")


def region_of_bucket_domain(domain: str) -> str:
    """'name.s3.eu-west-1.amazonaws.com' -> 'eu-west-1'."""
    return domain.split(".s3.")[1].split(".")[0]


def policy_statements(run, name: str):
    return json.loads(run.named(name).inputs["policy"])["Statement"]


def check_latency_records(run, regions: list[str]) -> None:
    records = records_named(run, f"api.{domain_of(run)}")
    health = run.outputs["healthCheckIds"]
    assert sorted(r["setIdentifier"] for r in records) == sorted(regions)
    for record in records:
        region = record["setIdentifier"]
        assert record["latencyRoutingPolicies"] == [{"region": region}]
        assert record["healthCheckId"] == health[region]
        (alias,) = record["aliases"]
        # The cell's own health check decides, not the ALB's target groups (the web tier's).
        assert alias["evaluateTargetHealth"] is False
    assert len({r["healthCheckId"] for r in records}) == len(regions)


def check_failover_records(run, regions: list[str], writer: str | None = None) -> None:
    records = records_named(run, f"orders.{domain_of(run)}")
    health = run.outputs["healthCheckIds"]
    if len(regions) == 1:
        (record,) = records
        assert "failoverRoutingPolicies" not in record
        return
    writer = writer or regions[0]
    after = regions[(regions.index(writer) + 1) % len(regions)]
    roles = {r["failoverRoutingPolicies"][0]["type"]: r for r in records}
    assert len(records) == 2
    assert set(roles) == {"PRIMARY", "SECONDARY"}
    assert roles["PRIMARY"]["healthCheckId"] == health[writer]
    assert roles["SECONDARY"]["healthCheckId"] == health[after]
    # Role-named identifiers: a failover rewrites both records' targets in one UPSERT.
    assert (roles["PRIMARY"]["setIdentifier"], roles["SECONDARY"]["setIdentifier"]) == (
        "primary",
        "secondary",
    )
    assert all(r["aliases"][0]["evaluateTargetHealth"] is False for r in records)


def check_origins(run, regions: list[str], https: bool = True) -> None:
    """S3 origins through OAC; the API and orders origins HTTPS-only with TLS 1.2 (HTTP only
    in a stack without a domain, whose ALBs have no certificate)."""
    cdn = distribution(run)
    origins = {o["originId"]: o for o in cdn["origins"]}
    for origin in origins.values():
        custom = origin.get("customOriginConfig")
        if custom is not None:
            assert custom["originProtocolPolicy"] == ("https-only" if https else "http-only")
            assert custom["originSslProtocols"] == ["TLSv1.2"]
        else:
            assert ".s3." in origin["domainName"]
            assert origin["originAccessControlId"]
            assert origin["s3OriginConfig"]["originAccessIdentity"] == ""
    behaviors = [cdn["defaultCacheBehavior"], *cdn["orderedCacheBehaviors"]]
    assert all(b["viewerProtocolPolicy"] == "redirect-to-https" for b in behaviors)
    groups = {g["originId"]: g for g in cdn.get("originGroups") or []}
    if len(regions) == 1:
        assert groups == {}
        return
    # The assets and the storefront each fail over from the primary to the next region.
    assert sorted(groups) == ["assets", "storefront"]
    for group in groups.values():
        members = [origins[m["originId"]] for m in group["members"]]
        member_regions = [region_of_bucket_domain(m["domainName"]) for m in members]
        assert member_regions == regions[:2]
        assert sorted(group["failoverCriteria"]["statusCodes"]) == sorted(FAILOVER_STATUS_CODES)


def check_bucket_policies(run, regions: list[str]) -> None:
    """Every assets bucket and the storefront buckets let this distribution (and only it)
    read."""
    source_arns = set()
    policies = [(f"data-{r}-assets-policy", r) for r in regions]
    policies += [(f"edge-{r}-storefront-policy", r) for r in regions[:2]]
    for name, region in policies:
        assert run.named(name).region == region
        reads = [
            s
            for s in policy_statements(run, name)
            if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
        ]
        assert len(reads) == 1, name
        assert reads[0]["Action"] == "s3:GetObject"
        source_arns.add(reads[0]["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert source_arns == {run.outputs["distributionArn"]}
    assert run.outputs["distributionArn"].startswith("arn:aws:cloudfront::")


# --- prod: domain in its existing zone, three regions ------------------------------------------


def test_prod_routes_api_by_latency_to_every_region(prod):
    check_latency_records(prod, list(prod.outputs["regions"]))


def test_prod_orders_fail_over_from_the_writer_to_the_next_region(prod):
    check_failover_records(prod, list(prod.outputs["regions"]))


def test_prod_origins_are_https_only_and_assets_fail_over_between_regions(prod):
    check_origins(prod, list(prod.outputs["regions"]))


def test_prod_bucket_policies_name_this_distribution(prod):
    check_bucket_policies(prod, list(prod.outputs["regions"]))


def test_prod_apex_and_www_alias_cloudfront_over_ipv4_and_ipv6(prod):
    for name in ("shop3d.example.com", "www.shop3d.example.com"):
        types = sorted(r["type"] for r in records_named(prod, name))
        assert types == ["A", "AAAA"]
        for record in records_named(prod, name):
            assert record["aliases"][0]["zoneId"] == "Z2FDTNDATAQYW2"  # CloudFront's zone


def test_prod_uses_its_configured_zone_and_a_dns_validated_us_east_1_certificate(prod):
    assert not prod.of_type(tokens.HOSTED_ZONE)
    assert {r.inputs["zoneId"] for r in prod.of_type(RECORD)} == {"Z0000000SHOP3DEXAMPLE"}
    certificate = prod.named("edge-certificate")
    assert certificate.region == "us-east-1"
    assert certificate.inputs["validationMethod"] == "DNS"
    assert certificate.inputs["subjectAlternativeNames"] == ["www.shop3d.example.com"]
    validation = [
        r for r in prod.of_type(RECORD) if r.name.startswith("edge-certificate-validation-")
    ]
    assert sorted(r.inputs["name"].split(".", 1)[1] for r in validation) == [
        "shop3d.example.com.",
        "www.shop3d.example.com.",
    ]
    assert all(r.inputs["type"] == "CNAME" for r in validation)
    issued = prod.named("edge-certificate-validation")
    assert issued.region == "us-east-1"
    assert len(issued.inputs["validationRecordFqdns"]) == 2
    viewer = distribution(prod)["viewerCertificate"]
    assert viewer["acmCertificateArn"] == issued.inputs["certificateArn"]
    assert viewer["sslSupportMethod"] == "sni-only"
    assert viewer["minimumProtocolVersion"] == "TLSv1.2_2021"


def test_the_web_acl_is_in_us_east_1_and_attached(prod):
    (acl,) = prod.of_type(tokens.WEB_ACL)
    assert acl.region == "us-east-1" and acl.inputs["scope"] == "CLOUDFRONT"
    assert distribution(prod)["webAclId"].startswith("arn:aws:wafv2:us-east-1:")


def test_prod_distribution_settings(prod_without_pages):
    cdn = distribution(prod_without_pages)
    assert cdn["httpVersion"] == "http2and3"
    assert cdn["isIpv6Enabled"] is True
    assert cdn["priceClass"] == "PriceClass_All"
    assert cdn["aliases"] == ["shop3d.example.com", "www.shop3d.example.com"]
    assert cdn["defaultRootObject"] == "index.html"
    behaviors = [cdn["defaultCacheBehavior"], *cdn["orderedCacheBehaviors"]]
    assert all(b["compress"] is True for b in behaviors)
    assert all(b["responseHeadersPolicyId"] for b in behaviors)
    by_path = {b["pathPattern"]: b for b in cdn["orderedCacheBehaviors"]}
    assert list(by_path) == ["/assets/*", *WRITER_PATHS, "/api/*"]
    assert by_path["/assets/*"]["targetOriginId"] == "assets"  # the origin group
    assert cdn["defaultCacheBehavior"]["targetOriginId"] == "storefront"
    for path in (*WRITER_PATHS, "/api/*"):
        assert by_path[path]["cachePolicyId"] == CACHING_DISABLED
        assert by_path[path]["originRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
        assert "POST" in by_path[path]["allowedMethods"]
    # Stripe's webhook changes orders: the writer's cell (orders origin), never cached.
    assert by_path[WEBHOOK_PATH]["targetOriginId"] == "orders"
    assert by_path["/api/orders"]["targetOriginId"] == "orders"
    # Admin writes carry stock to the inventory: the writer's cell, like checkout.
    assert by_path["/api/admin/*"]["targetOriginId"] == "orders"
    origins = {o["originId"]: o for o in cdn["origins"]}
    assert origins["api"]["domainName"] == "api.shop3d.example.com"
    assert origins["orders"]["domainName"] == "orders.shop3d.example.com"
    for name in ("api", "orders"):
        (header,) = origins[name]["customHeaders"]
        assert header["name"] == "X-Shop3d-Origin-Verify" and header["value"]


def _behavior_for(cdn: dict[str, Any], path: str) -> dict[str, Any]:
    """The behavior CloudFront picks: the first path pattern that matches ('*' any characters,
    '?' one; https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-specify.html#DownloadDistValPathPattern),
    else the default."""
    for behavior in cdn["orderedCacheBehaviors"]:
        if fnmatch.fnmatchcase(path, behavior["pathPattern"]):
            return dict(behavior)
    return dict(cdn["defaultCacheBehavior"])


@pytest.mark.parametrize(
    "router", [admin_products.router, account_routes.router], ids=["admin", "account"]
)
def test_every_admin_and_account_route_reaches_the_writers_cell_like_checkout(prod, router):
    """A stock write, or sign-in's adoption of guest orders, on a secondary cell would meet a
    read-only cluster: those routes (and the reads beside them) go where checkout goes."""
    cdn = distribution(prod)
    # `/api/account` alone reads the session and stays in the shopper's nearest cell.
    routes = {(r, methods) for r, methods, *_ in router._routes if r != ACCOUNT_PATH_PREFIX[:-1]}
    assert {m for _, methods in routes for m in methods} >= {"GET", "POST"}
    for rule, methods in routes:
        path = rule.replace("<sku>", "LAMP-1")
        behavior = _behavior_for(cdn, path)
        assert behavior["targetOriginId"] == "orders", (rule, methods)
        assert set(methods) <= set(behavior["allowedMethods"])
    assert _behavior_for(cdn, "/api/checkout")["targetOriginId"] == "orders"
    assert _behavior_for(cdn, "/api/products")["targetOriginId"] == "api"
    assert _behavior_for(cdn, "/api/account")["targetOriginId"] == "api"


def test_assets_are_cached_a_year_compressed_and_keyed_on_the_path_only(prod):
    (policy,) = [p for p in prod.of_type(tokens.CACHE_POLICY) if "assets" in p.name]
    year = 365 * 24 * 3600
    assert (policy.inputs["minTtl"], policy.inputs["defaultTtl"], policy.inputs["maxTtl"]) == (
        year,
        year,
        year,
    )
    key = policy.inputs["parametersInCacheKeyAndForwardedToOrigin"]
    assert key["enableAcceptEncodingBrotli"] and key["enableAcceptEncodingGzip"]
    assert key["queryStringsConfig"]["queryStringBehavior"] == "none"


def test_security_headers(prod):
    (policy,) = prod.of_type(tokens.RESPONSE_HEADERS_POLICY)
    headers = policy.inputs["securityHeadersConfig"]
    hsts = headers["strictTransportSecurity"]
    assert hsts["accessControlMaxAgeSec"] >= 31536000 and hsts["includeSubdomains"]
    csp = headers["contentSecurityPolicy"]["contentSecurityPolicy"]
    assert "'wasm-unsafe-eval'" in csp and "worker-src 'self' blob:" in csp
    assert "'unsafe-eval'" not in csp.replace("'wasm-unsafe-eval'", "")
    assert "frame-ancestors 'none'" in csp
    # The payment step: Stripe.js, its frames and its API, the origins of Stripe's security
    # guide (https://docs.stripe.com/security/guide#content-security-policy).
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert "https://js.stripe.com" in directives["script-src"]
    assert directives["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    assert "https://api.stripe.com" in directives["connect-src"]
    assert headers["contentTypeOptions"]["override"] is True
    assert headers["referrerPolicy"]["referrerPolicy"] == "strict-origin-when-cross-origin"


def test_origin_shield_in_prod_sits_in_each_bucket_region(prod, dev):
    prod_origins = [o for o in distribution(prod)["origins"] if "s3OriginConfig" in o]
    for origin in prod_origins:
        region = region_of_bucket_domain(origin["domainName"])
        assert origin["originShield"] == {
            "enabled": True,
            "originShieldRegion": shield_region(region),
        }
    primary = prod.outputs["primaryRegion"]
    assert shield_region(primary) == primary
    assert all("originShield" not in o for o in distribution(dev)["origins"])


def test_access_logs_go_to_the_primary_log_bucket_under_cloudfront(prod):
    (source,) = prod.of_type(tokens.LOG_DELIVERY_SOURCE)
    assert source.region == "us-east-1" and source.inputs["logType"] == "ACCESS_LOGS"
    assert source.inputs["resourceArn"] == prod.outputs["distributionArn"]
    (destination,) = prod.of_type(tokens.LOG_DELIVERY_DESTINATION)
    target = destination.inputs["deliveryDestinationConfiguration"]["destinationResourceArn"]
    logs = prod.outputs["bucketNames"][prod.outputs["primaryRegion"]]["logs"]
    assert target == f"arn:aws:s3:::{logs}/cloudfront"
    assert prod.of_type(tokens.LOG_DELIVERY)


def test_waf_rules_metrics_and_redacted_logging(prod):
    (acl,) = prod.of_type(tokens.WEB_ACL)
    rules = {r["name"]: r for r in acl.inputs["rules"]}
    assert set(MANAGED_GROUPS) <= set(rules)
    assert "AWSManagedRulesKnownBadInputsRuleSet" in rules  # Log4j
    api_rate = rules["rate-per-ip-api"]["statement"]["rateBasedStatement"]
    assert api_rate["limit"] == 2000
    # Only /api/ counts towards it: one product page loads 20-30 cached files.
    api_only = api_rate["scopeDownStatement"]["byteMatchStatement"]
    assert (api_only["searchString"], api_only["positionalConstraint"]) == ("/api/", "STARTS_WITH")
    site_rate = rules["rate-per-ip-site"]["statement"]["rateBasedStatement"]
    assert site_rate["limit"] == 2000 * 30
    assert site_rate["scopeDownStatement"]["notStatement"]["statement"] == {
        "byteMatchStatement": api_only
    }
    # Anonymous IPs are labelled (count), not blocked.
    assert rules["AWSManagedRulesAnonymousIpList"]["overrideAction"] == {"count": {}}
    body = rules["api-body-size"]["statement"]["andStatement"]["statements"]
    assert body[1]["sizeConstraintStatement"]["comparisonOperator"] == "GT"
    # Stripe's events are larger than 4 KiB: the webhook path is exempt from the body rule,
    # and the common rule set's fixed 8 KB body block only counts.
    exempt = body[2]["notStatement"]["statement"]["byteMatchStatement"]
    assert (exempt["searchString"], exempt["positionalConstraint"]) == (WEBHOOK_PATH, "EXACTLY")
    common = rules["AWSManagedRulesCommonRuleSet"]["statement"]["managedRuleGroupStatement"]
    assert common["ruleActionOverrides"] == [
        {"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}
    ]
    assert len({r["priority"] for r in rules.values()}) == len(rules)
    assert all(r["visibilityConfig"]["cloudwatchMetricsEnabled"] for r in rules.values())
    assert acl.inputs["visibilityConfig"]["cloudwatchMetricsEnabled"]
    (log_group,) = [
        g for g in prod.of_type(tokens.LOG_GROUP) if g.name == "edge-us-east-1-waf-logs"
    ]
    assert log_group.inputs["name"].startswith("aws-waf-logs-")
    assert log_group.region == "us-east-1"
    (logging,) = prod.of_type(tokens.WEB_ACL_LOGGING)
    redacted = [f["singleHeader"]["name"] for f in logging.inputs["redactedFields"]]
    assert "authorization" in redacted
    assert logging.inputs["logDestinationConfigs"]


def test_admin_bodies_have_their_own_size_rule_and_the_cart_rule_leaves_them_alone():
    """The product API takes up to 16 KiB (a 5,000-character description); the cart's 4 KiB
    rule would block it at the edge."""
    rules: dict[Any, Any] = {r["name"]: r for r in web_acl_rules(2000)}
    cart = rules["api-body-size"]["statement"]["and_statement"]["statements"]
    assert cart[-1]["not_statement"]["statement"]["byte_match_statement"]["search_string"] == (
        ADMIN_PATH_PREFIX
    )
    admin_path, admin_size = rules["admin-body-size"]["statement"]["and_statement"]["statements"]
    assert admin_path["byte_match_statement"]["search_string"] == "/api/admin/"
    assert admin_size["size_constraint_statement"]["size"] == ADMIN_MAX_BODY_BYTES == 16384
    assert rules["admin-body-size"]["action"] == {"block": {}}


def test_shield_advanced_is_off_by_default(prod, dev):
    assert not prod.of_type(tokens.SHIELD_PROTECTION)
    assert not dev.of_type(tokens.SHIELD_PROTECTION)


def site_objects(run: Any) -> list[Any]:
    """The uploaded site files: every object but the Lambda code the signing jobs read and the
    web tier's renderer bundle."""
    return [
        o
        for o in run.of_type(OBJECT)
        if not str(o.inputs["key"]).startswith(
            (storage.LAMBDA_UNSIGNED_PREFIX, storage.WEB_RENDERER_PREFIX)
        )
    ]


def test_the_web_tiers_sync_source_holds_the_same_site(program, site, prod_without_pages):
    """Every cell's web tier syncs s3://<primary assets bucket>/storefront/: the deploy writes
    the built site there too, so the ALB's non-API paths serve the same storefront. Only with
    the web tier on (both presets): without it nothing is written there."""
    off = prod_without_pages
    bucket = off.outputs["bucketNames"][off.outputs["primaryRegion"]]["assets"]
    assert not [o for o in site_objects(off) if o.inputs["bucket"] == bucket]
    prod = program("prod", {"storefrontDist": site, "webTier": True})
    bucket = prod.outputs["bucketNames"][prod.outputs["primaryRegion"]]["assets"]
    written = {o.inputs["key"] for o in site_objects(prod) if o.inputs["bucket"] == bucket}
    # Beside the site, the bucket holds the renderer bundle (web-renderer/, its own tests).
    synced = {key for key in written if key.startswith(storage.STOREFRONT_PREFIX)}
    assert synced == {storage.STOREFRONT_PREFIX + key for key in SITE}
    source = f"s3://{bucket}/{storage.STOREFRONT_PREFIX}"
    templates = [
        t for t in prod.of_type(tokens.LAUNCH_TEMPLATE) if t.name.endswith("-web-launch-template")
    ]
    assert len(templates) == len(prod.outputs["regions"])
    for template in templates:
        assert source in base64.b64decode(template.inputs["userData"]).decode()


def test_prod_uploads_the_built_site_to_both_storefront_buckets_with_cache_control(prod):
    regions = list(prod.outputs["regions"])[:2]
    uploaded = prod.of_type(OBJECT)
    buckets = prod.outputs["storefrontBuckets"]
    assert sorted(buckets) == sorted(regions)
    for region in regions:
        keys = [o.inputs["key"] for o in uploaded if o.inputs["bucket"] == buckets[region]]
        assert sorted(keys) == sorted(SITE)
        assert all(o.region == region for o in uploaded if o.inputs["bucket"] == buckets[region])
    objects = {o.inputs["key"]: o for o in uploaded if o.inputs["bucket"] == buckets[regions[0]]}
    assert objects["index.html"].inputs["cacheControl"] == REVALIDATE
    assert objects["index.html"].inputs["contentType"] == "text/html; charset=utf-8"
    assert objects["static/index-Ab12Cd34.js"].inputs["cacheControl"] == IMMUTABLE
    assert objects["static/draco_decoder-Zz99Yy_8.wasm"].inputs["contentType"] == "application/wasm"
    assert all(o.inputs["serverSideEncryption"] == "aws:kms" for o in objects.values())
    assert prod.outputs["storefrontFiles"] == len(SITE)
    for region in regions:
        (events,) = [
            n
            for n in prod.of_type(tokens.BUCKET_NOTIFICATION)
            if n.name == f"edge-{region}-storefront-events"
        ]
        assert events.inputs["eventbridge"] is True


# --- dev: no domain ----------------------------------------------------------------------------


def test_without_a_domain_there_is_no_zone_certificate_or_record(dev):
    assert not dev.of_type(tokens.HOSTED_ZONE)
    assert not dev.of_type(tokens.ACM_CERTIFICATE)
    assert not dev.of_type(RECORD)
    cdn = distribution(dev)
    assert cdn["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert "aliases" not in cdn


def test_without_a_domain_the_program_is_still_complete(dev):
    regions = list(dev.outputs["regions"])
    assert dev.outputs["siteUrl"] == f"https://{dev.outputs['distributionDomain']}"
    assert dev.outputs["distributionDomain"].endswith(".cloudfront.net")
    assert dev.outputs["apiUrl"] == dev.outputs["siteUrl"] + "/api/"
    assert sorted(dev.outputs["healthCheckIds"]) == sorted(regions)
    check_origins(dev, regions, https=False)
    check_bucket_policies(dev, regions)
    origins = {o["originId"]: o for o in distribution(dev)["origins"]}
    # The API goes straight to the primary ALB (no api.<domain> to route by latency).
    assert origins["api"]["domainName"] == origins["orders"]["domainName"]
    assert origins["api"]["domainName"].endswith(f".{regions[0]}.elb.amazonaws.com")


# --- an existing zone, Shield Advanced, a custom rate limit, no upload ------------------------


def test_prod_names_each_cell_and_validates_its_alb_certificate(prod):
    regions = list(prod.outputs["regions"])
    api = "api.shop3d.example.com"
    for region in regions:
        (record,) = records_named(prod, f"{region}.{api}")
        assert record["aliases"][0]["name"].endswith(f".{region}.elb.amazonaws.com")
    validated = sorted(
        r.inputs["name"].split(".", 1)[1]
        for r in prod.of_type(RECORD)
        if r.name.startswith(tuple(f"edge-{g}-alb-certificate-validation" for g in regions))
    )
    # api.<domain> and orders.<domain> have the same CNAME in every region: written once.
    orders = "orders.shop3d.example.com"
    assert validated == sorted(
        [f"{api}.", f"{orders}.", *(f"{region}.{api}." for region in regions)]
    )
    # Every cell's certificate names every host CloudFront may reach it by.
    for region in regions:
        certificate = prod.named(f"cell-{region}-alb-certificate")
        assert certificate.inputs["domainName"] == api
        assert sorted(certificate.inputs["subjectAlternativeNames"]) == sorted(
            [orders, f"{region}.{api}"]
        )


def test_failover_figure(prod, dev):
    # prod checks every 10 s, dev every 30 s; x 3 failures + the ALB alias's 60 s TTL.
    assert prod.outputs["failoverSeconds"] == 10 * 3 + 60
    assert dev.outputs["failoverSeconds"] == 30 * 3 + 60
    intervals = {
        c.inputs["requestInterval"]
        for c in prod.of_type(tokens.HEALTH_CHECK)
        if c.inputs["type"] != "CALCULATED"  # no requests of its own: it reads its children
    }
    assert intervals == {10}


def test_after_a_failover_orders_prefer_the_writers_region(program):
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
    run = program(
        "dev",
        {
            "regions": regions,
            "domain": DOMAIN,
            "hostedZoneId": ZONE_ID,
            "storefrontDist": "skip",
            "writerRegion": "ap-southeast-2",
        },
    )
    # ap-southeast-2 holds the writer: primary there, secondary on the next (wrapping) region.
    check_failover_records(run, regions, writer="ap-southeast-2")
    roles = {
        r["failoverRoutingPolicies"][0]["type"]: r["healthCheckId"]
        for r in records_named(run, f"orders.{DOMAIN}")
    }
    health = run.outputs["healthCheckIds"]
    assert roles == {"PRIMARY": health["ap-southeast-2"], "SECONDARY": health["us-east-1"]}


def test_an_existing_zone_is_used_not_created(existing_zone):
    assert not existing_zone.of_type(tokens.HOSTED_ZONE)
    records = existing_zone.of_type(RECORD)
    assert records and all(r.inputs["zoneId"] == ZONE_ID for r in records)
    check_latency_records(existing_zone, list(existing_zone.outputs["regions"]))
    check_failover_records(existing_zone, list(existing_zone.outputs["regions"]))


def test_shield_advanced_protects_this_distribution_when_asked(existing_zone):
    (protection,) = existing_zone.of_type(tokens.SHIELD_PROTECTION)
    assert protection.inputs["resourceArn"] == existing_zone.outputs["distributionArn"]
    assert protection.region == "us-east-1"


def test_rate_limit_comes_from_config(existing_zone):
    (acl,) = existing_zone.of_type(tokens.WEB_ACL)
    (rate,) = [r for r in acl.inputs["rules"] if r["name"] == "rate-per-ip-api"]
    assert rate["statement"]["rateBasedStatement"]["limit"] == 500


def test_skip_deploys_the_storefront_bucket_without_files(existing_zone):
    assert not site_objects(existing_zone)
    assert existing_zone.outputs["storefrontFiles"] == 0
    assert existing_zone.named("edge-us-east-1-storefront").type_ == tokens.BUCKET


def test_a_missing_storefront_build_fails_with_how_to_build_it(program, tmp_path):
    with pytest.raises(Exception, match=r"npm ci && npm run build"):
        # One region, no web tier: the smallest program that reaches the upload.
        program(
            "dev",
            {
                "regions": ["us-east-1"],
                "webTier": False,
                "storefrontDist": str(tmp_path / "nothing-built"),
            },
        )


# --- generated region lists --------------------------------------------------------------------

region_lists = st.lists(st.sampled_from(sorted(REGIONS)), min_size=1, max_size=3, unique=True)


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(regions=region_lists)
def test_generated_region_lists(program, regions):
    run = program(
        "dev",
        {
            "regions": regions,
            "domain": DOMAIN,
            "hostedZoneId": ZONE_ID,
            "storefrontDist": "skip",
            "webTier": False,
        },
    )
    check_latency_records(run, regions)
    check_failover_records(run, regions)
    check_origins(run, regions)
    check_bucket_policies(run, regions)


def test_each_regions_mail_identity_has_its_three_dkim_records_in_the_zone(prod):
    identities = prod.of_type("aws:sesv2/emailIdentity:EmailIdentity")
    assert sorted(i.region for i in identities) == sorted(prod.outputs["regions"])
    assert {i.inputs["emailIdentity"] for i in identities} == {"shop3d.example.com"}
    dkim = [
        r
        for r in prod.of_type("aws:route53/record:Record")
        if r.inputs["name"].endswith("._domainkey.shop3d.example.com")
    ]
    # Easy DKIM: three CNAMEs per identity, each <token>._domainkey -> <token>.dkim.amazonses.com
    assert len(dkim) == 3 * len(identities)
    for record in dkim:
        token = record.inputs["name"].split(".", 1)[0]
        assert record.inputs["type"] == "CNAME"
        assert record.inputs["records"] == [f"{token}.dkim.amazonses.com"]


def test_without_a_domain_no_mail_identity_or_notifications(dev):
    assert not dev.of_type("aws:sesv2/emailIdentity:EmailIdentity")
    assert dev.of_type("aws:cloudwatch/eventBus:EventBus")  # the outbox still has a bus
    assert not [f for f in dev.of_type("aws:lambda/function:Function") if "notifications" in f.name]


def test_the_order_jobs_run_every_minute_in_the_writers_region_only(prod, dev):
    for run in (prod, dev):
        (schedule,) = run.of_type("aws:scheduler/schedule:Schedule")
        assert schedule.region == run.outputs["primaryRegion"]
        assert schedule.inputs["scheduleExpression"] == "rate(1 minute)"
        assert "order-jobs" in schedule.inputs["target"]["arn"]


def test_with_the_web_tier_pages_go_to_the_cells_and_bundles_stay_on_s3(program):
    """The page renderer (handlers.pages) behind the cells' ALBs: / and the page routes, cached
    briefly and keyed on the edge's first-LOD choice (made by a viewer-request function)."""
    run = program("prod", {"webTier": True})
    cdn = distribution(run)
    # CloudFront then asks the cell for /index.html when a viewer asks for / (the renderer
    # answers it with the grid: tests/pages/test_pages.py); policy rule
    # cloudfront-default-root-object (CKV_AWS_305).
    assert cdn["defaultRootObject"] == INDEX_DOCUMENT
    default = cdn["defaultCacheBehavior"]
    assert default["targetOriginId"] == "api"
    by_path = {b["pathPattern"]: b for b in cdn["orderedCacheBehaviors"]}
    assert list(by_path)[:5] == [
        "/static/*",
        "/products/*",
        "/categories/*",
        "/sitemap.xml",
        "/robots.txt",
    ]
    assert by_path["/static/*"]["targetOriginId"] == "storefront"
    for path in ("/products/*", "/categories/*", "/sitemap.xml", "/robots.txt"):
        assert by_path[path]["targetOriginId"] == "api"
        assert by_path[path]["cachePolicyId"] == default["cachePolicyId"]
        (association,) = by_path[path]["functionAssociations"]
        assert association["eventType"] == "viewer-request"
    pages = [p for p in run.of_type(tokens.CACHE_POLICY) if "page-cache" in p.name]
    (policy,) = pages
    assert (policy.inputs["minTtl"], policy.inputs["defaultTtl"], policy.inputs["maxTtl"]) == (
        0,
        60,
        300,
    )
    key = policy.inputs["parametersInCacheKeyAndForwardedToOrigin"]
    assert key["headersConfig"]["headers"]["items"] == ["x-shop3d-first-lod"]
    assert key["cookiesConfig"]["cookieBehavior"] == "none"
    (function,) = run.of_type(FUNCTION)
    assert function.inputs["runtime"] == "cloudfront-js-2.0"
    assert "x-shop3d-first-lod" in function.inputs["code"]
    (association,) = default["functionAssociations"]
    assert "first-lod" in association["functionArn"]


def test_without_the_web_tier_only_the_default_behaviour_rewrites_routes_to_the_shell(
    prod_without_pages,
):
    """webTier off: S3 holds no /products/<sku>, so a deep link would get S3's 403;
    the SPA fallback on the default behaviour alone hands the shell, and no first-LOD function."""
    prod = prod_without_pages
    cdn = distribution(prod)
    assert cdn["defaultRootObject"] == "index.html"
    (function,) = prod.of_type(FUNCTION)
    assert "spa-fallback" in function.name
    assert function.inputs["code"] == SPA_FALLBACK_FUNCTION.read_text()
    (association,) = cdn["defaultCacheBehavior"]["functionAssociations"]
    assert association["eventType"] == "viewer-request"
    assert "spa-fallback" in association["functionArn"]
    assert all("functionAssociations" not in b for b in cdn["orderedCacheBehaviors"])
