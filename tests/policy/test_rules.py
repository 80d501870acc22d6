"""Every rule passes on the compliant baseline and fails when one thing is broken."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from policy import tokens as t
from policy.evaluate import evaluate
from policy.model import Resource, ResourceRule
from policy.rules import ALL_RULES, RULES_BY_NAME
from tests.policy.baseline import (
    KEY_ARN,
    TLS_DENY,
    baseline,
    patch,
    res,
    stack_of,
    unprotect,
    without,
)

Breaker = Callable[[list[Resource]], list[Resource]]
PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}


def add(*extra: Resource) -> Breaker:
    return lambda rs: [*rs, *extra]


def drop(*names: str) -> Breaker:
    return lambda rs: without(rs, *names)


def change(name: str, **props: object) -> Breaker:
    return lambda rs: patch(rs, name, **props)


# A web ACL whose one rule is an unscoped rate limit (no managed group, no scope-down).
UNSCOPED_RATE_RULE = {
    "name": "rate",
    "statement": {"rateBasedStatement": {"limit": 1000}},
    "visibilityConfig": {"cloudwatchMetricsEnabled": True},
}

BREAKERS: dict[str, Breaker] = {
    # S3
    "s3-public-access-block": change("assets-pab", restrictPublicBuckets=False),
    "s3-acls-disabled": change("replica-own", rule={"objectOwnership": "ObjectWriter"}),
    "s3-no-public-acl": add(res(t.BUCKET_ACL, "acl", bucket="assets", acl="public-read")),
    "s3-policy-no-public-principal": change(
        "assets-policy", policy=json.dumps({"Statement": [TLS_DENY, PUBLIC_READ]})
    ),
    "s3-tls-only": change("replica-policy", policy=json.dumps({"Statement": []})),
    "s3-sse-kms-cmk": change(
        "assets-sse", rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    ),
    "s3-bucket-key": change(
        "assets-sse",
        rules=[
            {
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": "aws:kms",
                    "kmsMasterKeyId": "k",
                }
            }
        ],
    ),
    "s3-versioning": change("logs-versioning", versioningConfiguration={"status": "Suspended"}),
    "s3-replication": drop("assets-replication"),
    "s3-access-logging": drop("replica-logging"),
    "s3-lifecycle-abort-multipart": change("alb-logs-lifecycle", rules=[{"status": "Enabled"}]),
    "s3-event-notifications": drop("assets-events"),
    "s3-log-bucket-object-lock": change("logs", objectLockEnabled=None),
    # CloudFront
    "cloudfront-viewer-https": change(
        "cdn", defaultCacheBehavior={"viewerProtocolPolicy": "allow-all"}
    ),
    "cloudfront-tls-1-2": change(
        "cdn",
        viewerCertificate={
            "acmCertificateArn": "c",
            "sslSupportMethod": "sni-only",
            "minimumProtocolVersion": "TLSv1_2016",
        },
    ),
    "cloudfront-custom-certificate-sni": change(
        "cdn",
        viewerCertificate={
            "cloudfrontDefaultCertificate": True,
            "minimumProtocolVersion": "TLSv1.2_2021",
        },
    ),
    "cloudfront-origin-https": change(
        "cdn",
        origins=[
            {
                "originId": "api",
                "domainName": "a.b",
                "customOriginConfig": {
                    "originProtocolPolicy": "match-viewer",
                    "originSslProtocols": ["TLSv1.2"],
                },
            }
        ],
    ),
    "cloudfront-origin-no-legacy-ssl": change(
        "cdn",
        origins=[
            {
                "originId": "api",
                "domainName": "a.b",
                "customOriginConfig": {
                    "originProtocolPolicy": "https-only",
                    "originSslProtocols": ["TLSv1", "TLSv1.2"],
                },
            }
        ],
    ),
    "cloudfront-waf": change("cdn", webAclId=None),
    "cloudfront-access-logging": change("cdn", loggingConfig=None),
    "cloudfront-origin-failover": change("cdn", originGroups=[]),
    "cloudfront-s3-origin-access-control": change(
        "cdn",
        origins=[
            {
                "originId": "assets",
                "domainName": "assets.s3.amazonaws.com",
                "s3OriginConfig": {"originAccessIdentity": "origin-access-identity/cloudfront/E1"},
            }
        ],
    ),
    "cloudfront-default-root-object": change("cdn", defaultRootObject=""),
    # DynamoDB
    "dynamodb-point-in-time-recovery": change(
        "carts",
        replicas=[{"regionName": "eu-west-1", "kmsKeyArn": "k", "pointInTimeRecovery": False}],
    ),
    "dynamodb-kms-cmk": change("carts", serverSideEncryption={"enabled": True}),
    "dynamodb-on-demand": change("carts", billingMode="PROVISIONED"),
    "dynamodb-deletion-protection": change("carts", deletionProtectionEnabled=False),
    "dynamodb-backup-plan": change("carts", tags={"backup": "never"}),
    # Aurora
    "aurora-encrypted-cmk": change("orders-global", storageEncrypted=False),
    "aurora-deletion-protection": change("orders", deletionProtection=False),
    "aurora-iam-auth": change("orders", iamDatabaseAuthenticationEnabled=None),
    "aurora-postgres-logs": change("orders", enabledCloudwatchLogsExports=[]),
    "aurora-backup-retention": change("orders", backupRetentionPeriod=1),
    "aurora-aws-backup": drop("backup-aurora"),
    "aurora-multi-az": drop("orders-2"),
    "aurora-instance-private": change("orders-1", publiclyAccessible=True),
    "aurora-instance-minor-upgrades": change("orders-2", autoMinorVersionUpgrade=False),
    "aurora-instance-monitoring": change("orders-1", monitoringInterval=0),
    "aurora-instance-performance-insights-kms": change(
        "orders-1", performanceInsightsKmsKeyId=None
    ),
    "aurora-copy-tags-to-snapshot": change("orders", copyTagsToSnapshot=False),
    "aurora-non-default-admin": change("orders", masterUsername="postgres"),
    # ElastiCache
    "elasticache-at-rest-cmk": change("cache", kmsKeyId=None),
    "elasticache-in-transit-auth": change("cache", authToken=None),
    "elasticache-automatic-failover": change("cache", multiAzEnabled=False),
    "elasticache-backups": change("cache", snapshotRetentionLimit=0),
    "elasticache-subnet-group": change("cache", subnetGroupName="default"),
    # ALB
    "alb-http-redirects-to-https": change(
        "alb-http", defaultActions=[{"type": "forward", "targetGroupArn": "tg"}]
    ),
    "alb-tls-policy": change("alb-https", sslPolicy="ELBSecurityPolicy-2016-08"),
    "alb-drop-invalid-headers": change("alb", dropInvalidHeaderFields=False),
    "alb-desync-mitigation": change("alb", desyncMitigationMode="monitor"),
    "alb-access-logs": change("alb", accessLogs={"bucket": "alb-logs", "enabled": False}),
    "alb-deletion-protection": change("alb", enableDeletionProtection=None),
    "alb-multi-az": change("alb", subnets=["subnet-a"]),
    "alb-waf": drop("alb-waf"),
    # Lambda
    "lambda-supported-runtime": change("cart", runtime="python3.9"),
    "lambda-xray-tracing": change("asset", tracingConfig={"mode": "PassThrough"}),
    "lambda-permission-not-public": change("cart-from-alb", principal="*"),
    "lambda-permission-source-arn": change("cart-from-alb", sourceArn=None),
    "lambda-url-auth": change("cart-url", authorizationType="NONE"),
    "lambda-in-vpc": change(
        "cart", vpcConfig={"subnetIds": ["subnet-a"], "securityGroupIds": ["sg-1"]}
    ),
    "lambda-concurrency-cap": change("asset-events", scalingConfig={}),
    "lambda-dead-letter": change("uploads-queue", redrivePolicy=None),
    "lambda-environment-cmk": change("cart", kmsKeyArn=None),
    "lambda-no-secrets-in-environment": change(
        "cart", environment={"variables": {"SHOP3D_CART_COOKIE_KEY": "hunter2hunter2"}}
    ),
    "lambda-code-signing": change("cart", codeSigningConfigArn=None),
    # KMS
    "kms-rotation": change("key", enableKeyRotation=False),
    "kms-key-policy": change(
        "key-eu",
        policy=json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "*"},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ]
            }
        ),
    ),
    "kms-no-lockout-bypass": change("key", bypassPolicyLockoutSafetyCheck=True),
    "kms-deletion-guard": lambda rs: unprotect(rs, "key-eu"),
    # WAF
    "waf-has-rules": change("edge", rules=[]),
    "waf-metrics": change("edge", visibilityConfig={"cloudwatchMetricsEnabled": False}),
    "waf-log4j-rule-group": change("edge", rules=[UNSCOPED_RATE_RULE]),
    "waf-logging": drop("edge-logs"),
    "waf-anonymous-ip-rule-group": change("edge", rules=[]),
    # EC2 launch paths, EventBridge delivery
    "launch-template-imds-hop-limit": change(
        "web-template", metadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": 2}
    ),
    "launch-template-volume-key-usable": change(
        "web-template", blockDeviceMappings=[{"ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}]
    ),
    "autoscaling-group-tags": change("web-asg", tags=[]),
    # Route 53
    "route53-dnssec": change("dnssec-key", customerMasterKeySpec="SYMMETRIC_DEFAULT"),
    "route53-query-logging": drop("query-log"),
    "eventbridge-failed-invocations-alarm": drop("findings-failed"),
    "kms-eventbridge-unconditioned": change(
        "key",
        policy=json.dumps(
            {
                "Statement": [
                    {
                        "Sid": "EventBridge",
                        "Effect": "Allow",
                        "Principal": {"Service": ["events.amazonaws.com"]},
                        "Action": "kms:GenerateDataKey*",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
                    }
                ]
            }
        ),
    ),
    "waf-rate-limit-scoped": change("edge", rules=[UNSCOPED_RATE_RULE]),
    # Security groups
    "sg-no-public-admin-ports": change("alb-https-in", fromPort=22, toPort=22),
    "sg-no-public-http": change("alb-https-in", fromPort=80, toPort=80),
    "sg-descriptions": change("alb-sg", description="Managed by Pulumi"),
    "sg-default-closed": change(
        "vpc-default", ingress=[{"protocol": "-1", "self": True, "fromPort": 0, "toPort": 0}]
    ),
    # CloudTrail, Secrets Manager, Cognito, protection
    "cloudtrail-multi-region": change("trail", isMultiRegionTrail=False),
    "cloudtrail-kms": change("trail", kmsKeyId=None),
    "cloudtrail-log-validation": change("trail", enableLogFileValidation=False),
    "cloudtrail-cloudwatch-logs": change("trail", cloudWatchLogsRoleArn=None),
    "secrets-cmk": change("cookie-key", kmsKeyId=None),
    "secrets-rotation": change(
        "cookie-key-rotation", rotationRules={"automaticallyAfterDays": 365}
    ),
    "cognito-threat-protection": change(
        "shoppers", userPoolAddOns={"advancedSecurityMode": "AUDIT"}
    ),
    "stateful-protected": lambda rs: unprotect(rs, "carts"),
    "cloudtrail-sns-topic": change("trail", snsTopicName=None),
    "alb-target-group-https": change("web-targets", protocol="HTTP"),
    "aurora-logs-slow-and-ddl": change(
        "orders-logging", parameters=[{"name": "log_min_duration_statement", "value": "-1"}]
    ),
    "s3-force-destroy-unprotected-only": change("logs", forceDestroy=True),
}


def findings_of(resources: list[Resource], rule: str) -> list[str]:
    return [f.message for f in evaluate(stack_of(resources), rules=[RULES_BY_NAME[rule]])]


def test_the_pack_has_at_least_40_rules_and_each_has_a_failing_case() -> None:
    assert len(ALL_RULES) >= 40
    assert sorted(BREAKERS) == sorted(RULES_BY_NAME)


def test_the_baseline_passes_every_rule() -> None:
    assert [str(f) for f in evaluate(stack_of(baseline()))] == []


@pytest.mark.parametrize("rule", sorted(BREAKERS))
def test_breaking_the_baseline_fails_the_rule(rule: str) -> None:
    broken = BREAKERS[rule](baseline())
    messages = findings_of(broken, rule)
    assert messages, f"{rule} did not notice"
    assert all(isinstance(m, str) and len(m) > 10 for m in messages)


def test_unknown_values_at_preview_never_fail_a_rule() -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    resources = patch(baseline(), "cart", runtime=unknown, kmsKeyArn=unknown)
    resources = patch(resources, "orders", kmsKeyId=unknown, enabledCloudwatchLogsExports=unknown)
    assert [str(f) for f in evaluate(stack_of(resources))] == []


def test_a_rule_only_looks_at_its_types() -> None:
    rule = RULES_BY_NAME["dynamodb-on-demand"]
    assert isinstance(rule, ResourceRule)
    assert rule.violations(res(t.BUCKET, "b", billingMode="PROVISIONED")) == []
    assert rule.violations(res(t.TABLE, "t", billingMode="PROVISIONED")) != []


def test_a_transient_bucket_needs_no_replication() -> None:
    def about_assets(rs: list[Resource]) -> list[str]:
        return [m for m in findings_of(rs, "s3-replication") if m.startswith("bucket assets ")]

    resources = without(baseline(), "assets-replication")
    assert about_assets(resources)
    expiring = {
        "id": "expire",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "expiration": {"days": 30},
    }
    lifecycle = next(r for r in resources if r.name == "assets-lifecycle")
    transient = patch(resources, "assets-lifecycle", rules=[*lifecycle.props["rules"], expiring])
    assert about_assets(transient) == []
    longer = patch(resources, "assets-lifecycle", rules=[{**expiring, "expiration": {"days": 90}}])
    assert about_assets(longer)


def test_an_alb_reachable_only_from_cloudfront_is_covered_by_the_cdn_waf() -> None:
    resources = patch(without(baseline(), "alb-waf"), "alb", securityGroups=["cf-only"])
    resources += [
        res(t.SECURITY_GROUP, "cf-only", description="from CloudFront"),
        res(
            t.INGRESS_RULE,
            "cf-in",
            description="CloudFront",
            securityGroupId="cf-only",
            ipProtocol="tcp",
            fromPort=443,
            toPort=443,
            prefixListId="pl-cloudfront",
        ),
    ]
    assert findings_of(resources, "alb-waf") == []
    opened = patch(resources, "cf-in", prefixListId=None, cidrIpv4="0.0.0.0/0")
    assert findings_of(opened, "alb-waf")
    no_cdn_waf = patch(resources, "cdn", webAclId=None)
    assert findings_of(no_cdn_waf, "alb-waf")


def test_http_listeners_may_refuse_but_never_forward() -> None:
    refusing = patch(
        baseline(),
        "alb-http",
        defaultActions=[{"type": "fixed-response", "fixedResponse": {"statusCode": "403"}}],
    )
    assert findings_of(refusing, "alb-http-redirects-to-https") == []
    forwarding = [
        *refusing,
        res(
            t.LISTENER_RULE,
            "api-rule",
            listenerArn="arn:aws:lb:x:1:alb-http",
            actions=[{"type": "forward", "targetGroupArn": "tg"}],
        ),
    ]
    messages = findings_of(forwarding, "alb-http-redirects-to-https")
    assert messages == ["listener rule api-rule serves plain HTTP on alb-http"]


def test_cloudfront_standard_logging_v2_counts_as_access_logging() -> None:
    resources = patch(baseline(), "cdn", loggingConfig=None)
    source = res(
        t.LOG_DELIVERY_SOURCE,
        "cdn-logs",
        logType="ACCESS_LOGS",
        resourceArn="arn:aws:cloudfront::1:distribution/cdn",
    )
    assert findings_of([*resources, source], "cloudfront-access-logging") == []


def test_secret_wrapped_values_are_read() -> None:
    from policy.values import SECRET_SIG, SIG_KEY, unwrap_secrets

    origins = [
        {
            "originId": "api",
            "domainName": "a.b",
            "customOriginConfig": {"originProtocolPolicy": "http-only"},
        }
    ]
    wrapped = patch(baseline(), "cdn", origins={SIG_KEY: SECRET_SIG, "value": origins})
    cdn = next(r for r in wrapped if r.name == "cdn")
    unwrapped = patch(wrapped, "cdn", origins=unwrap_secrets(cdn.props["origins"]))
    assert findings_of(unwrapped, "cloudfront-origin-https")


def test_a_deployed_build_in_two_regions_needs_no_replication() -> None:
    def about_assets(rs: list[Resource]) -> list[str]:
        return [m for m in findings_of(rs, "s3-replication") if m.startswith("bucket assets ")]

    resources = without(baseline(), "assets-replication")
    tagged = patch(resources, "assets", tags={"shop3d:purpose": "storefront"})
    # One storefront bucket alone is not a second copy.
    assert about_assets(tagged)
    copy = replace(
        next(r for r in tagged if r.name == "assets"),
        name="assets-copy",
        urn="urn:pulumi:test::shop3d::copy",
        region="eu-west-1",
    )
    assert about_assets([*tagged, copy]) == []
    # Only deployed builds: an asset bucket with a twin elsewhere still needs replication.
    other = patch(resources, "assets", tags={"shop3d:purpose": "assets"})
    twin = replace(
        next(r for r in other if r.name == "assets"),
        name="assets-twin",
        urn="urn:pulumi:test::shop3d::twin",
        region="eu-west-1",
    )
    assert about_assets([*other, twin])


def test_code_signing_exempts_container_images_only() -> None:
    """Lambda verifies signatures of zip archives only: an Image function has nothing to sign;
    a function without packageType is a Zip (Lambda's default) and needs the config."""
    rule = RULES_BY_NAME["lambda-code-signing"]
    assert isinstance(rule, ResourceRule)
    image = res(t.FUNCTION, "image", packageType="Image", imageUri="x@sha256:0")
    assert rule.violations(image) == []
    assert rule.violations(res(t.FUNCTION, "zip", packageType="Zip", runtime="python3.12")) != []
    assert rule.violations(res(t.FUNCTION, "default", runtime="python3.12")) != []
    signed = res(
        t.FUNCTION,
        "signed",
        runtime="python3.12",
        codeSigningConfigArn="arn:aws:lambda:us-east-1:1:code-signing-config:csc-1",
    )
    assert rule.violations(signed) == []


def test_a_global_secondary_may_run_one_instance_but_not_none_and_the_writer_two() -> None:
    def member(name: str) -> Resource:
        writer = next(r for r in baseline() if r.name == "orders")
        props = {**writer.props, "clusterIdentifier": name, "globalClusterIdentifier": "g"}
        props.pop("masterUsername")  # only the primary's cluster names a master user
        return res(t.RDS_CLUSTER, name, **props)

    instance = res(t.RDS_CLUSTER_INSTANCE, "orders-eu-1", clusterIdentifier="orders-eu")
    assert findings_of([*baseline(), member("orders-eu"), instance], "aurora-multi-az") == []
    headless = findings_of([*baseline(), member("orders-eu")], "aurora-multi-az")
    assert headless == ["secondary cluster orders-eu has 0 instance(s); run at least 1"]
    single_writer = findings_of(without(baseline(), "orders-2"), "aurora-multi-az")
    assert single_writer == ["writer's cluster orders has 1 instance(s); run at least 2"]


def test_an_unsigned_zone_fails_dnssec_and_a_key_route53_may_not_use_too() -> None:
    """Route 53 Developer Guide, "Working with customer managed keys for DNSSEC": the key must
    let dnssec-route53.amazonaws.com DescribeKey, GetPublicKey and Sign."""
    (unsigned,) = findings_of(without(baseline(), "dnssec"), "route53-dnssec")
    assert "zone Z1 is not signed" in unsigned
    closed = patch(baseline(), "dnssec-key", policy=json.dumps({"Statement": []}))
    (refused,) = findings_of(closed, "route53-dnssec")
    assert "kms:DescribeKey, kms:GetPublicKey, kms:Sign" in refused


def test_a_stack_without_records_needs_no_zone_signing_or_query_log() -> None:
    bare = without(baseline(), "apex", "dnssec", "dnssec-ksk", "query-log")
    for name in ("route53-dnssec", "route53-query-logging"):
        assert findings_of(bare, name) == []
