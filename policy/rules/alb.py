"""Application Load Balancers and their listeners."""

from __future__ import annotations

from collections.abc import Iterator

from policy import types as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import is_set, is_true, is_unknown, items

rules = RuleSet()
# TLS 1.2+ policies without CBC/SHA-1 suites ("Ext" variants add them back).
SECURE_TLS_POLICY_PREFIXES = (
    "ELBSecurityPolicy-TLS13-1-2-",
    "ELBSecurityPolicy-TLS13-1-3-",
    "ELBSecurityPolicy-FS-1-2-Res-",
)
SECURE_DESYNC_MODES = frozenset({"defensive", "strictest"})


def is_application(resource: Resource) -> bool:
    return resource.get("loadBalancerType") in (None, "application")


@rules.resource(
    "alb-http-redirects-to-https",
    "An HTTP listener only redirects to HTTPS; HTTPS listeners carry a certificate.",
    t.LISTENERS,
    "lb-listener-disallow-unencrypted; CKV2_AWS_20, CKV_AWS_2; ELB.1",
)
def http_redirects(resource: Resource) -> Iterator[str]:
    protocol = resource.get("protocol")
    if protocol == "HTTP":
        for action in items(resource.get("defaultActions")):
            redirect = action.get("redirect") or {}
            if action.get("type") != "redirect" or redirect.get("protocol") != "HTTPS":
                yield "an HTTP listener may only redirect to HTTPS (type redirect, protocol HTTPS)"
    elif protocol == "HTTPS" and not is_set(resource.get("certificateArn")):
        yield "HTTPS listener without certificateArn"


@rules.resource(
    "alb-tls-policy",
    "HTTPS listeners use a TLS 1.2+ forward-secret policy (ELBSecurityPolicy-TLS13-1-2-*).",
    t.LISTENERS,
    "lb-listener-configure-secure-tls; CKV_AWS_103, CKV2_AWS_74",
)
def tls_policy(resource: Resource) -> Iterator[str]:
    if resource.get("protocol") != "HTTPS":
        return
    policy = resource.get("sslPolicy")
    if is_unknown(policy):
        return
    text = str(policy or "")
    if not text.startswith(SECURE_TLS_POLICY_PREFIXES) or "-Ext" in text:
        yield f"sslPolicy {policy!r}: use ELBSecurityPolicy-TLS13-1-2-Res-2021-06 or stricter"


@rules.resource(
    "alb-drop-invalid-headers",
    "The ALB drops HTTP headers with invalid fields.",
    t.LOAD_BALANCERS,
    "CKV_AWS_131; ELB.4",
)
def drop_invalid_headers(resource: Resource) -> Iterator[str]:
    if is_application(resource) and not is_true(resource.get("dropInvalidHeaderFields")):
        yield "dropInvalidHeaderFields is not true"


@rules.resource(
    "alb-desync-mitigation",
    "Desync mitigation is defensive or strictest (defensive is the default).",
    t.LOAD_BALANCERS,
    "CKV_AWS_328; ELB.12",
)
def desync(resource: Resource) -> Iterator[str]:
    mode = resource.get("desyncMitigationMode")
    if mode is not None and not is_unknown(mode) and mode not in SECURE_DESYNC_MODES:
        yield f"desyncMitigationMode {mode!r}: use defensive or strictest"


@rules.resource(
    "alb-access-logs",
    "Access logs are delivered to S3.",
    t.LOAD_BALANCERS,
    "lb-enable/configure-access-logging; CKV_AWS_91; ELB.5",
)
def access_logs(resource: Resource) -> Iterator[str]:
    if not (
        is_true(resource.get("accessLogs.enabled")) and is_set(resource.get("accessLogs.bucket"))
    ):
        yield "accessLogs must be enabled with a bucket"


@rules.resource(
    "alb-deletion-protection",
    "Deletion protection is on.",
    t.LOAD_BALANCERS,
    "CKV_AWS_150; ELB.6",
)
def deletion_protection(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("enableDeletionProtection")):
        yield "enableDeletionProtection is not true"


@rules.resource(
    "alb-multi-az",
    "The load balancer spans at least two subnets (Availability Zones).",
    t.LOAD_BALANCERS,
    "ELB.13",
)
def multi_az(resource: Resource) -> Iterator[str]:
    subnets = resource.get("subnets")
    mappings = resource.get("subnetMappings")
    if is_unknown(subnets) or is_unknown(mappings):
        return
    if max(len(items(subnets)), len(items(mappings))) < 2:
        yield "fewer than 2 subnets: spread the load balancer over 2+ AZs"


@rules.stack(
    "alb-waf",
    "Every internet-facing ALB has a WAFv2 web ACL association.",
    "CKV2_AWS_28; ELB.16",
)
def waf(stack: Stack) -> Iterator[Violation]:
    for lb in stack.of_type(*t.LOAD_BALANCERS):
        if not is_application(lb) or is_true(lb.get("internal")):
            continue  # internal (or not yet known): not reachable from the internet
        if not stack.referrers(lb, "resourceArn", t.WEB_ACL_ASSOCIATION):
            yield lb, f"public ALB {lb.name} has no aws.wafv2.WebAclAssociation"
