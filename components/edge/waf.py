"""The distribution's WAFv2 web ACL (scope CLOUDFRONT, so it lives in us-east-1) and its logs.

Rules, in evaluation order: a per-IP rate limit on the API, a higher one on everything else
(one product page loads 20-30 cached files: assets, storefront), a body size limit on the API (the only paths
that take a body through CloudFront: sellers upload models straight to the uploads bucket with
presigned URLs) except Stripe's webhook (its events are larger; its signature authenticates
them), then AWS's managed groups: IP reputation, known bad inputs (Log4j, Spring4Shell)
and the common rule set, then the anonymous-IP list in count mode (VPN and hosting-provider
addresses are labelled in the logs, not blocked: shoppers on a VPN must still buy). Every
rule and the ACL publish CloudWatch metrics and samples; full
logs go to a CloudWatch log group (WAF requires its name to start with `aws-waf-logs-`), with
the Authorization and Cookie headers redacted (bearer tokens, the signed guest cart cookie).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, cast

import pulumi
import pulumi_aws as aws

from components.naming import global_name, physical, regional
from components.options import child
from handlers.shared.limits import ADMIN_MAX_BODY_BYTES, ADMIN_PATH_PREFIX, CART_MAX_BODY_BYTES
from handlers.shared.routes import WEBHOOK_PATH
from stack_config.catalog import EDGE_REGION

API_PATH_PREFIX: Final = "/api/"
LOG_GROUP_PREFIX: Final = "aws-waf-logs-"
# AWS managed rule groups, in priority order after the custom rules.
MANAGED_GROUPS: Final = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesCommonRuleSet",
)
# Counted, not enforced (see the module docstring).
COUNTED_GROUPS: Final = ("AWSManagedRulesAnonymousIpList",)
REDACTED_HEADERS: Final = ("authorization", "cookie")
# The common rule set blocks every body over 8 KB (SizeRestrictions_BODY, a fixed limit:
# https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html),
# which would block Stripe's larger events. It only counts here; api-body-size blocks oversized
# API bodies instead, with the webhook exempt.
COUNTED_MANAGED_RULES: Final = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}
# Requests a page view makes outside /api/ (storefront files, model LODs, textures), so the
# site's per-IP limit is this multiple of the API's.
SITE_REQUESTS_PER_PAGE: Final = 30
RATE_WINDOW_SECONDS: Final = 300


@dataclass(frozen=True)
class Firewall:
    acl: aws.wafv2.WebAcl
    log_group: aws.cloudwatch.LogGroup


def _visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgsDict:
    return {
        "cloudwatch_metrics_enabled": True,
        "metric_name": metric,
        "sampled_requests_enabled": True,
    }


def _api_path(prefix: str = API_PATH_PREFIX) -> dict[str, Any]:
    """Requests under /api/ (or `prefix`; each nesting level of WAF statements has its own
    TypedDict in pulumi-aws, so this one shape is typed loosely)."""
    return {
        "byte_match_statement": {
            "search_string": prefix,
            "positional_constraint": "STARTS_WITH",
            "field_to_match": {"uri_path": {}},
            "text_transformations": [{"priority": 0, "type": "NONE"}],
        }
    }


def _rate_rule(
    name: str, priority: int, limit: int, scope: dict[str, Any]
) -> aws.wafv2.WebAclRuleArgsDict:
    """A per-IP rate limit counting only the requests `scope` matches."""
    return {
        "name": name,
        "priority": priority,
        "action": {"block": {}},
        "statement": cast(
            aws.wafv2.WebAclRuleStatementArgsDict,
            {
                "rate_based_statement": {
                    "limit": limit,
                    "aggregate_key_type": "IP",
                    "evaluation_window_sec": RATE_WINDOW_SECONDS,
                    "scope_down_statement": scope,
                }
            },
        ),
        "visibility_config": _visibility(name),
    }


def _api_body_size_rule(priority: int) -> aws.wafv2.WebAclRuleArgsDict:
    """Block API requests whose body is larger than the cart service accepts, before they
    reach an origin (bodies beyond WAF's inspection limit count as too large)."""
    return {
        "name": "api-body-size",
        "priority": priority,
        "action": {"block": {}},
        "statement": cast(
            aws.wafv2.WebAclRuleStatementArgsDict,
            {
                "and_statement": {
                    "statements": [
                        _api_path(),
                        {
                            "size_constraint_statement": {
                                "comparison_operator": "GT",
                                "size": CART_MAX_BODY_BYTES,
                                "field_to_match": {"body": {"oversize_handling": "MATCH"}},
                                "text_transformations": [{"priority": 0, "type": "NONE"}],
                            }
                        },
                        {
                            "not_statement": {
                                "statement": {
                                    "byte_match_statement": {
                                        "search_string": WEBHOOK_PATH,
                                        "positional_constraint": "EXACTLY",
                                        "field_to_match": {"uri_path": {}},
                                        "text_transformations": [{"priority": 0, "type": "NONE"}],
                                    }
                                }
                            }
                        },
                        # The admin product API takes larger bodies: its own rule.
                        {"not_statement": {"statement": _api_path(ADMIN_PATH_PREFIX)}},
                    ]
                }
            },
        ),
        "visibility_config": _visibility("api-body-size"),
    }


def _admin_body_size_rule(priority: int) -> aws.wafv2.WebAclRuleArgsDict:
    """Block admin API bodies over what the product API accepts (a product's description makes
    them larger than the cart's); 16 KiB is CloudFront WAF's default inspection size, so an
    uninspected remainder is never let through."""
    return {
        "name": "admin-body-size",
        "priority": priority,
        "action": {"block": {}},
        "statement": cast(
            aws.wafv2.WebAclRuleStatementArgsDict,
            {
                "and_statement": {
                    "statements": [
                        _api_path(ADMIN_PATH_PREFIX),
                        {
                            "size_constraint_statement": {
                                "comparison_operator": "GT",
                                "size": ADMIN_MAX_BODY_BYTES,
                                "field_to_match": {"body": {"oversize_handling": "MATCH"}},
                                "text_transformations": [{"priority": 0, "type": "NONE"}],
                            }
                        },
                    ]
                }
            },
        ),
        "visibility_config": _visibility("admin-body-size"),
    }


def _managed_rule(priority: int, group: str, count: bool = False) -> aws.wafv2.WebAclRuleArgsDict:
    statement: aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgsDict = {
        "vendor_name": "AWS",
        "name": group,
    }
    counted = COUNTED_MANAGED_RULES.get(group, ())
    if counted:
        statement["rule_action_overrides"] = [
            {"name": rule, "action_to_use": {"count": {}}} for rule in counted
        ]
    return {
        "name": group,
        "priority": priority,
        "override_action": {"count": {}} if count else {"none": {}},
        "statement": {"managed_rule_group_statement": statement},
        "visibility_config": _visibility(group),
    }


def web_acl_rules(rate_limit: int) -> list[aws.wafv2.WebAclRuleArgsDict]:
    site_limit = min(rate_limit * SITE_REQUESTS_PER_PAGE, 2_000_000_000)
    custom = [
        _rate_rule("rate-per-ip-api", 0, rate_limit, _api_path()),
        _rate_rule(
            "rate-per-ip-site", 1, site_limit, {"not_statement": {"statement": _api_path()}}
        ),
        _api_body_size_rule(2),
        _admin_body_size_rule(3),
    ]
    groups = [(g, False) for g in MANAGED_GROUPS] + [(g, True) for g in COUNTED_GROUPS]
    managed = [_managed_rule(len(custom) + i, g, count) for i, (g, count) in enumerate(groups)]
    return [*custom, *managed]


def firewall(parent: pulumi.Resource, rate_limit: int, log_retention_days: int) -> Firewall:
    """The web ACL and its logging; `parent` must carry the us-east-1 provider."""
    acl = aws.wafv2.WebAcl(
        global_name("edge", "waf"),
        scope="CLOUDFRONT",
        description="shop3d CloudFront: rate limit, API body size, AWS managed rules",
        default_action={"allow": {}},
        rules=web_acl_rules(rate_limit),
        visibility_config={
            "cloudwatch_metrics_enabled": True,
            "metric_name": "shop3d-edge",
            "sampled_requests_enabled": True,
        },
        opts=child(parent),
    )
    log_group = aws.cloudwatch.LogGroup(
        regional("edge", EDGE_REGION, "waf-logs"),
        name=LOG_GROUP_PREFIX + physical("edge"),
        retention_in_days=log_retention_days,
        opts=child(parent),
    )
    aws.wafv2.WebAclLoggingConfiguration(
        global_name("edge", "waf-logging"),
        resource_arn=acl.arn,
        log_destination_configs=[log_group.arn],
        redacted_fields=[{"single_header": {"name": header}} for header in REDACTED_HEADERS],
        opts=child(parent),
    )
    return Firewall(acl=acl, log_group=log_group)
