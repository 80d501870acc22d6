"""CloudFront distributions: HTTPS end to end, modern TLS, WAF, logs, failover, OAC."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import is_set, is_unknown, items

rules = RuleSet()
DISTRIBUTION = (t.DISTRIBUTION,)
SECURE_VIEWER_POLICIES = frozenset({"redirect-to-https", "https-only"})
LEGACY_ORIGIN_PROTOCOLS = frozenset({"SSLv3", "TLSv1", "TLSv1.1"})


def behaviors(resource: Resource) -> list[dict[str, object]]:
    default = resource.get("defaultCacheBehavior")
    ordered = items(resource.get("orderedCacheBehaviors"))
    return [b for b in [default, *ordered] if isinstance(b, dict)]


def origins(resource: Resource) -> list[dict[str, object]]:
    return [o for o in items(resource.get("origins")) if isinstance(o, dict)]


def custom_origins(resource: Resource) -> Iterator[tuple[object, dict[str, object]]]:
    """(originId, customOriginConfig) of every custom (non-S3) origin."""
    for origin in origins(resource):
        config = origin.get("customOriginConfig")
        if isinstance(config, dict):
            yield origin.get("originId"), config


def is_s3_origin(origin: dict[str, object]) -> bool:
    domain = str(origin.get("domainName") or "")
    return origin.get("s3OriginConfig") is not None or ".s3." in domain or ".s3-" in domain


@rules.resource(
    "cloudfront-viewer-https",
    "Every cache behavior redirects viewers to HTTPS or allows HTTPS only.",
    DISTRIBUTION,
    "disallow-unencrypted-traffic; CKV_AWS_34; CloudFront.3",
)
def viewer_https(resource: Resource) -> Iterator[str]:
    for behavior in behaviors(resource):
        policy = behavior.get("viewerProtocolPolicy")
        if not is_unknown(policy) and policy not in SECURE_VIEWER_POLICIES:
            path = behavior.get("pathPattern", "default")
            yield f"behavior {path}: viewerProtocolPolicy {policy!r}, use redirect-to-https"


@rules.resource(
    "cloudfront-tls-1-2",
    "Viewers negotiate TLS 1.2 or newer (minimumProtocolVersion TLSv1.2_2021 or later).",
    DISTRIBUTION,
    "configure-secure-tls; CKV_AWS_174; CloudFront.7",
)
def tls_minimum(resource: Resource) -> Iterator[str]:
    version = resource.get("viewerCertificate.minimumProtocolVersion")
    if is_unknown(version):
        return
    if not str(version or "").startswith(("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3")):
        yield f"minimumProtocolVersion {version!r}: use TLSv1.2_2021 or later"


@rules.resource(
    "cloudfront-custom-certificate-sni",
    "The distribution serves its own ACM certificate with SNI (not the default certificate).",
    DISTRIBUTION,
    "CKV2_AWS_42; CloudFront.7, CloudFront.8",
)
def custom_certificate(resource: Resource) -> Iterator[str]:
    if not is_set(resource.get("viewerCertificate.acmCertificateArn")):
        yield "viewerCertificate.acmCertificateArn is not set: serve the domain's ACM certificate"
    if resource.get("viewerCertificate.cloudfrontDefaultCertificate") is True:
        yield "cloudfrontDefaultCertificate is true: use the ACM certificate instead"
    method = resource.get("viewerCertificate.sslSupportMethod")
    if not is_unknown(method) and method != "sni-only":
        yield f"sslSupportMethod {method!r}: use sni-only"


@rules.resource(
    "cloudfront-origin-https",
    "Custom origins are reached over HTTPS only.",
    DISTRIBUTION,
    "enable-tls-to-origin; CKV2_AWS_72; CloudFront.9",
)
def origin_https(resource: Resource) -> Iterator[str]:
    for name, config in custom_origins(resource):
        policy = config.get("originProtocolPolicy")
        if not is_unknown(policy) and policy != "https-only":
            yield f"origin {name}: originProtocolPolicy {policy!r}, use https-only"


@rules.resource(
    "cloudfront-origin-no-legacy-ssl",
    "Custom origins allow TLSv1.2 only (no SSLv3, TLSv1, TLSv1.1).",
    DISTRIBUTION,
    "secure-tls-to-origin; CloudFront.10",
)
def origin_no_legacy_ssl(resource: Resource) -> Iterator[str]:
    for name, config in custom_origins(resource):
        legacy = set(map(str, items(config.get("originSslProtocols")))) & LEGACY_ORIGIN_PROTOCOLS
        if legacy:
            yield f"origin {name}: drop {sorted(legacy)} from originSslProtocols"


@rules.resource(
    "cloudfront-waf",
    "A WAFv2 web ACL is attached (webAclId).",
    DISTRIBUTION,
    "configure-waf; CKV_AWS_68; CloudFront.6",
)
def waf(resource: Resource) -> Iterator[str]:
    if not is_set(resource.get("webAclId")):
        yield "webAclId is not set: attach the us-east-1 WAFv2 web ACL"


@rules.stack(
    "cloudfront-access-logging",
    "Access logs are delivered: legacy loggingConfig.bucket, or standard logging v2 (a "
    "CloudWatch LogDeliverySource of ACCESS_LOGS for the distribution).",
    "enable/configure-access-logging; CKV_AWS_86; CloudFront.5",
)
def access_logging(stack: Stack) -> Iterator[Violation]:
    for cdn in stack.of_type(t.DISTRIBUTION):
        if is_set(cdn.get("loggingConfig.bucket")):
            continue
        sources = stack.referrers(cdn, "resourceArn", t.LOG_DELIVERY_SOURCE)
        if any(s.get("logType") == "ACCESS_LOGS" for s in sources):
            continue
        yield (
            cdn,
            (
                f"distribution {cdn.name} logs nowhere: set loggingConfig.bucket or add a "
                "LogDeliverySource (logType ACCESS_LOGS) with a LogDelivery to S3 or CloudWatch"
            ),
        )


@rules.resource(
    "cloudfront-origin-failover",
    "At least one origin group fails over between origins (e.g. the two regions' buckets).",
    DISTRIBUTION,
    "CKV_AWS_310; CloudFront.4",
)
def origin_failover(resource: Resource) -> Iterator[str]:
    groups = [g for g in items(resource.get("originGroups")) if isinstance(g, dict)]
    if not any(len(items(g.get("members"))) >= 2 for g in groups):
        yield "no originGroups with two members: add a failover origin group"


@rules.resource(
    "cloudfront-s3-origin-access-control",
    "S3 origins are reached through Origin Access Control, not a public bucket or legacy OAI.",
    DISTRIBUTION,
    "CKV2_AWS_46; CloudFront.13",
)
def s3_origin_access_control(resource: Resource) -> Iterator[str]:
    for origin in origins(resource):
        if not is_s3_origin(origin):
            continue
        if not is_set(origin.get("originAccessControlId")):
            yield f"S3 origin {origin.get('originId')}: set originAccessControlId (OAC)"
        oai = (origin.get("s3OriginConfig") or {}).get("originAccessIdentity")  # type: ignore[attr-defined]
        if is_set(oai) and not is_unknown(oai) and oai != "":
            yield f"S3 origin {origin.get('originId')}: drop the legacy originAccessIdentity"


@rules.resource(
    "cloudfront-default-root-object",
    "A default root object is set so '/' never lists or errors on the origin.",
    DISTRIBUTION,
    "CKV_AWS_305; CloudFront.1",
)
def default_root_object(resource: Resource) -> Iterator[str]:
    if not is_set(resource.get("defaultRootObject")):
        yield "defaultRootObject is not set: use index.html"
