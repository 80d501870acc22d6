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
