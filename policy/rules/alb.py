"""Application Load Balancers and their listeners."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import is_set, is_true, is_unknown, items

rules = RuleSet()
# TLS 1.2+ policies without CBC/SHA-1 suites ("Ext" variants add them back).
SECURE_TLS_POLICY_PREFIXES = (
    "ELBSecurityPolicy-TLS13-1-2-",
    "ELBSecurityPolicy-TLS13-1-3-",
    "ELBSecurityPolicy-FS-1-2-Res-",
)
CIDR_KEYS = ("cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6")
SECURE_DESYNC_MODES = frozenset({"defensive", "strictest"})


def is_application(resource: Resource) -> bool:
    return resource.get("loadBalancerType") in (None, "application")


def refuses_or_redirects(action: object) -> bool:
    """A default action that serves nothing over plain HTTP: redirect to HTTPS, or refuse."""
    if not isinstance(action, dict):
        return False
    redirect = action.get("redirect") or {}
    if action.get("type") == "redirect":
        return isinstance(redirect, dict) and redirect.get("protocol") == "HTTPS"
    status = str((action.get("fixedResponse") or {}).get("statusCode", ""))
    return action.get("type") == "fixed-response" and status.startswith("4")


@rules.stack(
    "alb-http-redirects-to-https",
    "Plain-HTTP listeners serve nothing: they redirect to HTTPS (or refuse with a 4xx) and "
    "no listener rule forwards HTTP traffic; HTTPS listeners carry a certificate.",
    "lb-listener-disallow-unencrypted; CKV2_AWS_20, CKV_AWS_2; ELB.1",
)
def http_redirects(stack: Stack) -> Iterator[Violation]:
    for listener in stack.of_type(*t.LISTENERS):
        protocol = listener.get("protocol")
        if protocol == "HTTPS" and not is_set(listener.get("certificateArn")):
            yield listener, f"HTTPS listener {listener.name} has no certificateArn"
        if protocol != "HTTP":
            continue
        if not all(refuses_or_redirects(a) for a in items(listener.get("defaultActions"))):
            yield listener, f"HTTP listener {listener.name}: default action must redirect to HTTPS"
        for rule in stack.referrers(listener, "listenerArn", *t.LISTENER_RULES):
            if not all(refuses_or_redirects(a) for a in items(rule.get("actions"))):
                yield rule, f"listener rule {rule.name} serves plain HTTP on {listener.name}"


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


def only_via_prefix_lists(stack: Stack, lb: Resource) -> bool:
    """All ingress to the ALB's security groups comes from managed prefix lists (CloudFront's
    origin-facing list): nothing on the internet reaches it except through the CDN."""
    groups = [g for g in stack.of_type(t.SECURITY_GROUP) if stack.refers(lb, "securityGroups", g)]
    if not groups:
        return False
    for group in groups:
        inline = [i for i in items(group.get("ingress")) if isinstance(i, dict)]
        rules_ = [r.props for r in stack.referrers(group, "securityGroupId", t.INGRESS_RULE)]
        for ingress in inline + rules_:
            cidrs = [
                ingress.get(k) for k in ("cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6")
            ]
            if any(items(c) for c in cidrs) or not (
                ingress.get("prefixListId") or ingress.get("prefixListIds")
            ):
                return False
    return True


@rules.stack(
    "alb-waf",
    "Every internet-facing ALB has a WAFv2 web ACL, or admits only CloudFront (prefix-list "
    "ingress) behind a distribution that has one.",
    "CKV2_AWS_28; ELB.16",
)
def waf(stack: Stack) -> Iterator[Violation]:
    cdn_waf = any(is_set(d.get("webAclId")) for d in stack.of_type(t.DISTRIBUTION))
    for lb in stack.of_type(*t.LOAD_BALANCERS):
        if not is_application(lb) or is_true(lb.get("internal")):
            continue  # internal (or not yet known): not reachable from the internet
        if stack.referrers(lb, "resourceArn", t.WEB_ACL_ASSOCIATION):
            continue
        if cdn_waf and only_via_prefix_lists(stack, lb):
            continue
        yield (
            lb,
            (
                f"public ALB {lb.name}: associate a regional web ACL, or admit only CloudFront's "
                "prefix list behind a distribution with webAclId"
            ),
        )


@rules.resource(
    "alb-target-group-https",
    "Instance and IP target groups receive HTTPS from the load balancer.",
    ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"),
    "CKV_AWS_378",
)
def target_group_https(resource: Resource) -> Iterator[str]:
    if resource.get("targetType") == "lambda":
        return  # the ALB invokes a Lambda target through the Lambda API, not over a socket
    protocol = resource.get("protocol")
    if not is_unknown(protocol) and protocol not in ("HTTPS", "TLS"):
        yield f"protocol {protocol}: forward over HTTPS (or exempt with the reason)"
