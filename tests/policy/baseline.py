"""A small hand-made stack that satisfies every rule: the passing case of each rule.

Each rule's failing case is this stack with one change (see test_rules.BREAKERS). Resources
refer to each other the way the program does: by id, name, ARN or S3 domain name.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from policy import tokens as t
from policy.model import Resource, Stack

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/mrk-1"
ROLE_ARN = "arn:aws:iam::111122223333:role/shop3d"
TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
OAC_READ = {
    "Sid": "CloudFrontRead",
    "Effect": "Allow",
    "Principal": {"Service": "cloudfront.amazonaws.com"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::b/*",
    "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}},
}
KEY_POLICY = {
    "Statement": [
        {
            "Sid": "Account",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "EventBridge",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
        },
    ]
}


def res(type_: str, name: str, protect: bool = False, **props: Any) -> Resource:
    return Resource(
        type=type_,
        name=name,
        urn=f"urn:pulumi:test::shop3d::{type_}::{name}",
        props=props,
        protect=protect,
        identities=frozenset({name}),
        region="us-east-1",
    )


def bucket_parts(bucket: str, *, log_target: str | None, kms: bool = True) -> list[Resource]:
    """A bucket with every sub-resource the S3 rules ask for."""
    algorithm = (
        {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}
        if kms
        else {"sseAlgorithm": "AES256"}
    )
    parts = [
        res(
            t.BUCKET_PUBLIC_ACCESS_BLOCK,
            f"{bucket}-pab",
            bucket=bucket,
            blockPublicAcls=True,
            blockPublicPolicy=True,
            ignorePublicAcls=True,
            restrictPublicBuckets=True,
        ),
        res(
            t.BUCKET_OWNERSHIP,
            f"{bucket}-own",
            bucket=bucket,
            rule={"objectOwnership": "BucketOwnerEnforced"},
        ),
        res(
            t.BUCKET_POLICY,
            f"{bucket}-policy",
            bucket=bucket,
            policy=json.dumps({"Version": "2012-10-17", "Statement": [TLS_DENY, OAC_READ]}),
        ),
        res(
            t.BUCKET_SSE,
            f"{bucket}-sse",
            bucket=bucket,
            rules=[{"applyServerSideEncryptionByDefault": algorithm, "bucketKeyEnabled": kms}],
        ),
        res(
            t.BUCKET_VERSIONING,
            f"{bucket}-versioning",
            bucket=bucket,
            versioningConfiguration={"status": "Enabled"},
        ),
        res(
            t.BUCKET_LIFECYCLE,
            f"{bucket}-lifecycle",
            bucket=bucket,
            rules=[
                {
                    "id": "abort",
                    "status": "Enabled",
                    "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
                }
            ],
        ),
    ]
    if log_target is not None:
        parts += [
            res(t.BUCKET_LOGGING, f"{bucket}-logging", bucket=bucket, targetBucket=log_target),
            res(t.BUCKET_NOTIFICATION, f"{bucket}-events", bucket=bucket, eventbridge=True),
        ]
    return parts


def baseline() -> list[Resource]:
    """Every resource type the pack covers, configured to pass every rule."""
    tags = {"backup": "daily"}
    resources = [
        # KMS
        res(
            t.KMS_KEY,
            "key",
            protect=True,
            enableKeyRotation=True,
            policy=json.dumps(KEY_POLICY),
            deletionWindowInDays=30,
            multiRegion=True,
        ),
        res(
            t.KMS_REPLICA_KEY,
            "key-eu",
            protect=True,
            policy=json.dumps(KEY_POLICY),
            deletionWindowInDays=30,
        ),
        # S3: two data buckets replicating to each other's region, two log sinks
        res(t.BUCKET, "assets", protect=True, bucket="assets"),
        res(t.BUCKET, "replica", protect=True, bucket="replica"),
        res(t.BUCKET, "logs", protect=True, bucket="logs", objectLockEnabled=True),
        res(t.BUCKET, "alb-logs", protect=True, bucket="alb-logs", objectLockEnabled=True),
        *bucket_parts("assets", log_target="logs"),
        *bucket_parts("replica", log_target="logs"),
        *bucket_parts("logs", log_target=None),
        *bucket_parts("alb-logs", log_target=None, kms=False),
        res(
            t.BUCKET_REPLICATION,
            "assets-replication",
            bucket="assets",
            role=ROLE_ARN,
            rules=[
                {
                    "id": "all",
                    "status": "Enabled",
                    "destination": {"bucket": "arn:aws:s3:::replica"},
                }
            ],
        ),
        # CloudFront
        res(
            t.DISTRIBUTION,
            "cdn",
            enabled=True,
            defaultRootObject="index.html",
            webAclId="arn:aws:wafv2:us-east-1:1:global/webacl/edge/1",
            loggingConfig={"bucket": "logs.s3.amazonaws.com"},
            viewerCertificate={
                "acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/c",
                "minimumProtocolVersion": "TLSv1.2_2021",
                "sslSupportMethod": "sni-only",
            },
            defaultCacheBehavior={"viewerProtocolPolicy": "redirect-to-https"},
            orderedCacheBehaviors=[{"pathPattern": "/api/*", "viewerProtocolPolicy": "https-only"}],
            origins=[
                {
                    "originId": "assets",
                    "domainName": "assets.s3.us-east-1.amazonaws.com",
                    "originAccessControlId": "oac-1",
                },
                {
                    "originId": "replica",
                    "domainName": "replica.s3.eu-west-1.amazonaws.com",
                    "originAccessControlId": "oac-1",
                },
                {
                    "originId": "api",
                    "domainName": "api.example.com",
                    "customOriginConfig": {
                        "originProtocolPolicy": "https-only",
                        "originSslProtocols": ["TLSv1.2"],
                        "httpPort": 80,
                        "httpsPort": 443,
                    },
                },
            ],
            originGroups=[
                {
                    "originId": "assets-group",
                    "members": [{"originId": "assets"}, {"originId": "replica"}],
                    "failoverCriteria": {"statusCodes": [500, 502, 503, 504]},
                }
            ],
        ),
        # DynamoDB and backups
        res(
            t.TABLE,
            "carts",
            protect=True,
            billingMode="PAY_PER_REQUEST",
            deletionProtectionEnabled=True,
            tags=tags,
            pointInTimeRecovery={"enabled": True},
            serverSideEncryption={"enabled": True, "kmsKeyArn": KEY_ARN},
            replicas=[
                {
                    "regionName": "eu-west-1",
                    "pointInTimeRecovery": True,
                    "kmsKeyArn": KEY_ARN.replace("us-east-1", "eu-west-1"),
                }
            ],
        ),
        res(
            t.BACKUP_SELECTION,
            "backup-by-tag",
            iamRoleArn=ROLE_ARN,
            planId="plan",
            selectionTags=[{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}],
        ),
        # Aurora
        res(
            t.RDS_GLOBAL_CLUSTER,
            "orders-global",
            protect=True,
            storageEncrypted=True,
            deletionProtection=True,
            engine="aurora-postgresql",
        ),
        res(
            t.RDS_CLUSTER,
            "orders",
            protect=True,
            storageEncrypted=True,
            kmsKeyId=KEY_ARN,
            deletionProtection=True,
            iamDatabaseAuthenticationEnabled=True,
            enabledCloudwatchLogsExports=["postgresql"],
            backupRetentionPeriod=7,
            copyTagsToSnapshot=True,
            masterUsername="shop3d_admin",
            clusterIdentifier="orders",
            dbClusterParameterGroupName="orders-logging",
        ),
        res(
            "aws:rds/clusterParameterGroup:ClusterParameterGroup",
            "orders-logging",
            family="aurora-postgresql16",
            parameters=[
                {"name": "log_min_duration_statement", "value": "1000"},
                {"name": "log_statement", "value": "ddl"},
            ],
        ),
        *[
            res(
                t.RDS_CLUSTER_INSTANCE,
                f"orders-{i}",
                protect=True,
                clusterIdentifier="orders",
                publiclyAccessible=False,
                autoMinorVersionUpgrade=True,
                monitoringInterval=60,
                monitoringRoleArn=ROLE_ARN,
                performanceInsightsEnabled=True,
                performanceInsightsKmsKeyId=KEY_ARN,
            )
            for i in (1, 2)
        ],
        # ElastiCache
        res(
            t.REPLICATION_GROUP,
            "cache",
            protect=True,
            atRestEncryptionEnabled=True,
            kmsKeyId=KEY_ARN,
            transitEncryptionEnabled=True,
            authToken="from-secret",
            automaticFailoverEnabled=True,
            multiAzEnabled=True,
            snapshotRetentionLimit=3,
            subnetGroupName="cache-subnets",
        ),
        # ALB
        res(
            t.LOAD_BALANCERS[0],
            "alb",
            loadBalancerType="application",
            internal=False,
            dropInvalidHeaderFields=True,
            desyncMitigationMode="defensive",
            enableDeletionProtection=True,
            subnets=["subnet-a", "subnet-b"],
            accessLogs={"bucket": "alb-logs", "enabled": True},
        ),
        res(
            t.LISTENERS[0],
            "alb-http",
            loadBalancerArn="alb",
            protocol="HTTP",
            port=80,
            defaultActions=[
                {
                    "type": "redirect",
                    "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
                }
            ],
        ),
        res(
            t.LISTENERS[0],
            "alb-https",
            loadBalancerArn="alb",
            protocol="HTTPS",
            port=443,
            sslPolicy="ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            certificateArn="arn:aws:acm:us-east-1:1:certificate/c",
            defaultActions=[{"type": "forward", "targetGroupArn": "tg"}],
        ),
        res(
            t.WEB_ACL_ASSOCIATION,
            "alb-waf",
            resourceArn="arn:aws:elasticloadbalancing:x:1:alb",
            webAclArn="regional-acl",
        ),
        # Lambda
        res(
            t.FUNCTION,
            "cart",
            runtime="python3.12",
            packageType="Zip",
            tracingConfig={"mode": "Active"},
            vpcConfig={"subnetIds": ["subnet-a", "subnet-b"], "securityGroupIds": ["sg-1"]},
            kmsKeyArn=KEY_ARN,
            codeSigningConfigArn="arn:aws:lambda:x:1:code-signing-config:c",
            environment={
                "variables": {
                    "SHOP3D_CART_COOKIE_SECRET_ARN": "arn:secret",
                    "SHOP3D_CARTS_TABLE": "carts",
                }
            },
        ),
        res(
            t.PERMISSION,
            "cart-from-alb",
            function="cart",
            action="lambda:InvokeFunction",
            principal="elasticloadbalancing.amazonaws.com",
            sourceArn="arn:tg",
        ),
        res(t.FUNCTION_URL, "cart-url", functionName="cart", authorizationType="AWS_IAM"),
        res(
            t.FUNCTION,
            "asset",
            packageType="Image",
            imageUri="1.dkr.ecr/x@sha256:0",
            tracingConfig={"mode": "Active"},
            vpcConfig={"subnetIds": ["subnet-a", "subnet-b"], "securityGroupIds": ["sg-1"]},
        ),
        res(t.SQS_QUEUE, "uploads-queue", redrivePolicy='{"maxReceiveCount": 5}'),
        res(
            t.EVENT_SOURCE_MAPPING,
            "asset-events",
            functionName="asset",
            eventSourceArn="arn:aws:sqs:us-east-1:1:uploads-queue",
            scalingConfig={"maximumConcurrency": 5},
        ),
        # WAF
        res(
            t.WEB_ACL,
            "edge",
            scope="CLOUDFRONT",
            visibilityConfig={
                "cloudwatchMetricsEnabled": True,
                "metricName": "edge",
                "sampledRequestsEnabled": True,
            },
            rules=[
                {
                    "name": "bad-inputs",
                    "priority": 1,
                    "statement": {
                        "managedRuleGroupStatement": {
                            "name": "AWSManagedRulesKnownBadInputsRuleSet",
                            "vendorName": "AWS",
                        }
                    },
                    "visibilityConfig": {
                        "cloudwatchMetricsEnabled": True,
                        "metricName": "bad",
                        "sampledRequestsEnabled": True,
                    },
                },
                {
                    "name": "anonymous",
                    "priority": 2,
                    "overrideAction": {"count": {}},
                    "statement": {
                        "managedRuleGroupStatement": {
                            "name": "AWSManagedRulesAnonymousIpList",
                            "vendorName": "AWS",
                        }
                    },
                    "visibilityConfig": {"cloudwatchMetricsEnabled": True},
                },
                {
                    "name": "api-rate",
                    "priority": 0,
                    "action": {"block": {}},
                    "statement": {
                        "rateBasedStatement": {
                            "limit": 2000,
                            "scopeDownStatement": {"byteMatchStatement": {"searchString": "/api/"}},
                        }
                    },
                    "visibilityConfig": {"cloudwatchMetricsEnabled": True},
                },
            ],
        ),
        res(
            t.WEB_ACL_LOGGING,
            "edge-logs",
            resourceArn="arn:aws:wafv2:x:1:global/webacl/edge",
            logDestinationConfigs=["arn:aws:logs:x:1:log-group:aws-waf-logs-edge"],
        ),
        # Network
        res(t.VPC, "vpc", cidrBlock="10.0.0.0/16"),
        res(t.DEFAULT_SECURITY_GROUP, "vpc-default", vpcId="vpc"),
        res(
            t.SECURITY_GROUP,
            "alb-sg",
            description="ALB: HTTPS from CloudFront",
            vpcId="vpc",
            ingress=[
                {
                    "description": "CloudFront",
                    "protocol": "tcp",
                    "fromPort": 443,
                    "toPort": 443,
                    "prefixListIds": ["pl-cloudfront"],
                }
            ],
        ),
        res(
            t.INGRESS_RULE,
            "alb-https-in",
            description="HTTPS from the internet",
            securityGroupId="alb-sg",
            ipProtocol="tcp",
            fromPort=443,
            toPort=443,
            cidrIpv4="0.0.0.0/0",
        ),
        res(
            t.EGRESS_RULE,
            "alb-out",
            description="to targets",
            securityGroupId="alb-sg",
            ipProtocol="tcp",
            fromPort=443,
            toPort=443,
            cidrIpv4="10.0.0.0/16",
        ),
        # CloudTrail, Secrets Manager, Cognito
        res(
            t.TRAIL,
            "trail",
            snsTopicName="trail-deliveries",
            isMultiRegionTrail=True,
            kmsKeyId=KEY_ARN,
            enableLogFileValidation=True,
            cloudWatchLogsGroupArn="arn:aws:logs:x:1:log-group:t:*",
            cloudWatchLogsRoleArn=ROLE_ARN,
        ),
        res(
            t.SECRET,
            "cookie-key",
            protect=True,
            kmsKeyId=KEY_ARN,
            replicas=[{"region": "eu-west-1", "kmsKeyId": "arn:eu-key"}],
        ),
        res(
            t.SECRET_ROTATION,
            "cookie-key-rotation",
            secretId="cookie-key",
            rotationLambdaArn="arn:rotator",
            rotationRules={"automaticallyAfterDays": 30},
        ),
        res(
            t.USER_POOL,
            "shoppers",
            protect=True,
            userPoolTier="PLUS",
            userPoolAddOns={"advancedSecurityMode": "ENFORCED"},
        ),
    ]
    # EC2 launch paths and EventBridge delivery.
    resources += [
        res(
            "aws:lb/targetGroup:TargetGroup",
            "web-targets",
            targetType="instance",
            protocol="HTTPS",
            port=443,
        ),
        res(
            "aws:ec2/launchTemplate:LaunchTemplate",
            "web-template",
            metadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": 1},
            blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}],
        ),
        res(
            "aws:autoscaling/group:Group",
            "web-asg",
            tags=[{"key": "project", "value": "shop3d", "propagateAtLaunch": True}],
        ),
        res("aws:cloudwatch/eventRule:EventRule", "findings-rule"),
        res("aws:cloudwatch/eventTarget:EventTarget", "findings-target", rule="findings-rule"),
        res(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "findings-failed",
            namespace="AWS/Events",
            metricName="FailedInvocations",
            dimensions={"RuleName": "findings-rule"},
        ),
    ]
    # The shop's zone: one record, signed (Route 53 DNSSEC docs: an ECC_NIST_P256 SIGN_VERIFY
    # key that dnssec-route53.amazonaws.com may use) and query-logged.
    resources += [
        res(t.DNS_RECORD, "apex", zoneId="Z1", type="A"),
        res(
            t.KMS_KEY,
            "dnssec-key",
            protect=True,
            customerMasterKeySpec="ECC_NIST_P256",
            keyUsage="SIGN_VERIFY",
            deletionWindowInDays=30,
            policy=json.dumps(
                {
                    "Statement": [
                        {
                            "Sid": "Route53DnssecSigns",
                            "Effect": "Allow",
                            "Principal": {"Service": "dnssec-route53.amazonaws.com"},
                            "Action": ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
                            "Resource": "*",
                            "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
                        }
                    ]
                }
            ),
        ),
        res(
            t.KEY_SIGNING_KEY,
            "dnssec-ksk",
            hostedZoneId="Z1",
            keyManagementServiceArn="dnssec-key",
            status="ACTIVE",
        ),
        res(t.HOSTED_ZONE_DNSSEC, "dnssec", hostedZoneId="Z1", signingStatus="SIGNING"),
        res(t.QUERY_LOG, "query-log", zoneId="Z1", cloudwatchLogGroupArn="query-logs"),
    ]
    # The Aurora cluster is selected by ARN rather than by tag: both joins are exercised.
    resources.append(
        res(
            t.BACKUP_SELECTION,
            "backup-aurora",
            iamRoleArn=ROLE_ARN,
            planId="plan",
            resources=["arn:aws:rds:us-east-1:111122223333:cluster:orders"],
        )
    )
    return resources


def stack_of(resources: list[Resource]) -> Stack:
    return Stack(tuple(resources))


def patch(resources: list[Resource], name: str, **props: Any) -> list[Resource]:
    """The resources with `name`'s props updated (None deletes a prop)."""
    out = []
    for r in resources:
        if r.name == name:
            merged = {**r.props, **props}
            r = replace(r, props={k: v for k, v in merged.items() if v is not None})
        out.append(r)
    assert any(r.name == name for r in resources), f"no resource {name} in the baseline"
    return out


def without(resources: list[Resource], *names: str) -> list[Resource]:
    assert all(any(r.name == n for r in resources) for n in names), names
    return [r for r in resources if r.name not in names]


def unprotect(resources: list[Resource], name: str) -> list[Resource]:
    return [replace(r, protect=False) if r.name == name else r for r in resources]
