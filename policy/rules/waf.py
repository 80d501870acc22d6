"""WAFv2 web ACLs: rules, metrics, the Log4j managed rule group, logging."""

from __future__ import annotations

from collections.abc import Iterator

from policy import tokens as t
from policy.model import Resource, RuleSet, Stack, Violation
from policy.values import is_set, is_true, is_unknown, items

rules = RuleSet()
ACL = (t.WEB_ACL,)
# AWS's managed group that blocks Log4j (CVE-2021-44228) and other known-bad inputs.
LOG4J_GROUP = "AWSManagedRulesKnownBadInputsRuleSet"


def acl_rules(resource: Resource) -> list[dict[str, object]]:
    return [r for r in items(resource.get("rules")) if isinstance(r, dict)]


@rules.resource(
    "waf-has-rules",
    "A web ACL has at least one rule.",
    ACL,
    "CKV_AWS_175; WAF.10",
)
def has_rules(resource: Resource) -> Iterator[str]:
    if is_unknown(resource.get("rules")) or is_set(resource.get("ruleJson")):
        return
    if not acl_rules(resource):
        yield "the web ACL has no rules"


@rules.resource(
    "waf-metrics",
    "The web ACL and each rule publish CloudWatch metrics.",
    ACL,
    "CKV2_AWS_47; WAF.12",
)
def metrics(resource: Resource) -> Iterator[str]:
    if not is_true(resource.get("visibilityConfig.cloudwatchMetricsEnabled")):
        yield "visibilityConfig.cloudwatchMetricsEnabled is not true"
    for rule in acl_rules(resource):
        config = rule.get("visibilityConfig") or {}
        if not (isinstance(config, dict) and is_true(config.get("cloudwatchMetricsEnabled"))):
            yield f"rule {rule.get('name')}: cloudwatchMetricsEnabled is not true"


@rules.resource(
    "waf-log4j-rule-group",
    f"The web ACL uses AWS's {LOG4J_GROUP} (Log4j and other known bad inputs).",
    ACL,
    "CKV_AWS_192",
)
def log4j(resource: Resource) -> Iterator[str]:
    if is_unknown(resource.get("rules")) or is_set(resource.get("ruleJson")):
        return
    names = {
        (rule.get("statement") or {}).get("managedRuleGroupStatement", {}).get("name")  # type: ignore[attr-defined]
        for rule in acl_rules(resource)
    }
    if LOG4J_GROUP not in names:
        yield f"add a rule with managedRuleGroupStatement {LOG4J_GROUP} (vendor AWS)"


@rules.stack(
    "waf-logging",
    "Every web ACL logs to CloudWatch Logs, S3 or Firehose.",
    "CKV2_AWS_31; WAF.11",
)
def logging(stack: Stack) -> Iterator[Violation]:
    for acl in stack.of_type(t.WEB_ACL):
        if not stack.referrers(acl, "resourceArn", t.WEB_ACL_LOGGING):
            yield acl, f"web ACL {acl.name} has no aws.wafv2.WebAclLoggingConfiguration"


# AWS's managed group of VPN, Tor and hosting-provider addresses.
ANONYMOUS_IP_GROUP = "AWSManagedRulesAnonymousIpList"


def _statement(rule: dict[str, object]) -> dict[str, object]:
    statement = rule.get("statement")
    return statement if isinstance(statement, dict) else {}


def _cloudfront_rules(resource: Resource) -> list[dict[str, object]] | None:
    """The rules of a CloudFront-scoped ACL whose rules are known; None otherwise."""
    if resource.get("scope") != "CLOUDFRONT" or is_unknown(resource.get("rules")):
        return None
    return acl_rules(resource)


@rules.resource(
    "waf-anonymous-ip-rule-group",
    f"A CloudFront web ACL uses AWS's {ANONYMOUS_IP_GROUP} (count mode is enough: the labels "
    "show anonymised traffic without refusing shoppers on a VPN).",
    ACL,
    "CKV_AWS_192 (anonymous IP); WAF managed rule groups",
)
def anonymous_ip(resource: Resource) -> Iterator[str]:
    acl = _cloudfront_rules(resource)
    if acl is None:
        return
    names = {
        (_statement(rule).get("managedRuleGroupStatement") or {}).get("name")  # type: ignore[attr-defined]
        for rule in acl
    }
    if ANONYMOUS_IP_GROUP not in names:
        yield f"add a rule with managedRuleGroupStatement {ANONYMOUS_IP_GROUP} (vendor AWS)"


@rules.resource(
    "waf-rate-limit-scoped",
    "Every blocking rate-based rule of a CloudFront web ACL has a scopeDownStatement: an "
    "unscoped per-IP limit counts every cached file of a page (20-30 per product view) and "
    "blocks shoppers long before an API abuser.",
    ACL,
    "shop3d",
)
def rate_limit_scoped(resource: Resource) -> Iterator[str]:
    for rule in _cloudfront_rules(resource) or []:
        rate = _statement(rule).get("rateBasedStatement")
        if isinstance(rate, dict) and not is_set(rate.get("scopeDownStatement")):
            yield f"rule {rule.get('name')}: scope the rate limit down (to /api/, say)"
