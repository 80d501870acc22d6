"""AWS's name limits for every resource type the program creates, and the physical name each
resource gets: explicit, from a name prefix, or Pulumi's auto-name.

Pulumi auto-names a resource `<logical name>-<7 random hex>`; with a `namePrefix` the provider
(Terraform's `id.PrefixedUniqueId`) appends 26 characters. Logical names carry the region, so a
name that fits in us-east-1 can overflow in ap-southeast-2: `names_in_every_region` re-spells
every recorded name for each region of the catalog and `violations` checks each against the
limit and character set AWS documents for that type (sources in RULES). Run
`python -m offline.aws_names` to write the table into docs/aws-names.md.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from offline.doc_blocks import DOCS, GeneratedBlock
from offline.runner import ProgramRun, RecordedResource
from stack_config.catalog import REGIONS

AUTO_SUFFIX: Final = "-a1b2c3d"  # Pulumi: "-" + 7 random hex characters
PREFIX_SUFFIX_LENGTH: Final = 26  # Terraform's PrefixedUniqueId: timestamp + counter digits
_PREFIX_SUFFIX: Final = "0" * PREFIX_SUFFIX_LENGTH


@dataclass(frozen=True)
class NameRule:
    """How AWS constrains one resource type's name."""

    property: str  # the input Pulumi auto-names (or we set)
    max_length: int
    pattern: str  # the whole name must match
    allowed: str  # the character set in words, for the docs and errors
    source: str
    prefix_property: str | None = "namePrefix"
    min_length: int = 1


_ALNUM_HYPHEN: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_IAM: Final = r"[\w+=,.@-]+"
_IAM_DOC: Final = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

RULES: Final[dict[str, NameRule]] = {
    "aws:lb/loadBalancer:LoadBalancer": NameRule(
        "name",
        32,
        _ALNUM_HYPHEN,
        "letters, digits, inner hyphens",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
    ),
    "aws:lb/targetGroup:TargetGroup": NameRule(
        "name",
        32,
        _ALNUM_HYPHEN,
        "letters, digits, inner hyphens",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
    ),
    "aws:iam/role:Role": NameRule("name", 64, _IAM, "letters, digits, +=,.@_-", _IAM_DOC),
    "aws:cloudwatch/eventBus:EventBus": NameRule(
        "name",
        256,
        r"[/\.\-_A-Za-z0-9]+",
        "letters, digits, . - _ /",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html",
        prefix_property=None,
    ),
    "aws:scheduler/schedule:Schedule": NameRule(
        "name",
        64,
        r"[0-9a-zA-Z\-_.]+",
        "letters, digits, - _ .",
        "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
    ),
    "aws:iam/rolePolicy:RolePolicy": NameRule(
        "name", 128, _IAM, "letters, digits, +=,.@_-", _IAM_DOC
    ),
    "aws:iam/instanceProfile:InstanceProfile": NameRule(
        "name", 128, _IAM, "letters, digits, +=,.@_-", _IAM_DOC
    ),
    "aws:lambda/function:Function": NameRule(
        "name",
        64,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
        prefix_property=None,
    ),
    "aws:lambda/layerVersion:LayerVersion": NameRule(
        "layerName",
        140,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html",
        prefix_property=None,
    ),
    "aws:lambda/permission:Permission": NameRule(
        "statementId",
        100,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html",
        prefix_property="statementIdPrefix",
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": NameRule(
        "replicationGroupId",
        40,
        r"[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]",
        "lower-case letters, digits, single inner hyphens; starts with a letter",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
        prefix_property=None,
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": NameRule(
        "name",
        255,
        r"[a-z0-9-]+",
        "lower-case letters, digits, hyphens",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html",
        prefix_property=None,
    ),
    "aws:backup/vault:Vault": NameRule(
        "name",
        50,
        r"[A-Za-z0-9_-]{2,50}",
        "letters, digits, hyphens, underscores (2-50)",
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html",
        prefix_property=None,
    ),
    "aws:backup/plan:Plan": NameRule(
        "name",
        50,
        r"[A-Za-z0-9_.-]+",
        "letters, digits, hyphens, underscores, periods",
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupPlanInput.html",
        prefix_property=None,
    ),
    "aws:backup/selection:Selection": NameRule(
        "name",
        50,
        r"[A-Za-z0-9_.-]+",
        "letters, digits, hyphens, underscores, periods",
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html",
        prefix_property=None,
    ),
    "aws:signer/signingProfile:SigningProfile": NameRule(
        "name",
        64,
        r"[A-Za-z0-9_]{2,64}",
        "letters, digits, underscores only (no hyphens)",
        "https://docs.aws.amazon.com/signer/latest/api/API_PutSigningProfile.html",
    ),
    "aws:s3/bucket:Bucket": NameRule(
        "bucket",
        63,
        r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?",
        "lower-case letters, digits, hyphens, periods",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        prefix_property="bucketPrefix",
        min_length=3,
    ),
    "aws:rds/cluster:Cluster": NameRule(
        "clusterIdentifier",
        63,
        r"[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]",
        "lower-case letters, digits, single inner hyphens; starts with a letter",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html",
        prefix_property="clusterIdentifierPrefix",
    ),
    "aws:rds/clusterInstance:ClusterInstance": NameRule(
        "identifier",
        63,
        r"[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]",
        "lower-case letters, digits, single inner hyphens; starts with a letter",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
        prefix_property="identifierPrefix",
    ),
    "aws:rds/globalCluster:GlobalCluster": NameRule(
        "globalClusterIdentifier",
        63,
        r"[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]",
        "lower-case letters, digits, single inner hyphens; starts with a letter",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateGlobalCluster.html",
        prefix_property=None,
    ),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": NameRule(
        "name",
        255,
        r"[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]",
        "lower-case letters, digits, single inner hyphens; starts with a letter",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterParameterGroup.html",
    ),
    "aws:rds/subnetGroup:SubnetGroup": NameRule(
        "name",
        255,
        r"[a-z0-9._ -]+",
        "lower-case letters, digits, periods, underscores, spaces, hyphens",
        "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
    ),
    "aws:dynamodb/table:Table": NameRule(
        "name",
        255,
        r"[A-Za-z0-9_.-]+",
        "letters, digits, underscores, hyphens, periods",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
        prefix_property=None,
        min_length=3,
    ),
    "aws:sqs/queue:Queue": NameRule(
        "name",
        80,
        r"[A-Za-z0-9_-]+(?:\.fifo)?",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    ),
    "aws:sns/topic:Topic": NameRule(
        "name",
        256,
        r"[A-Za-z0-9_-]+(?:\.fifo)?",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
    ),
    "aws:secretsmanager/secret:Secret": NameRule(
        "name",
        512,
        r"[A-Za-z0-9/_+=.@-]+",
        "letters, digits, /_+=.@-",
        "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html",
    ),
    "aws:cloudwatch/logGroup:LogGroup": NameRule(
        "name",
        512,
        r"[A-Za-z0-9_/.#-]+",
        "letters, digits, _-/.#",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": NameRule(
        "name",
        255,
        r"[^\x00-\x1f]+",
        "printable characters",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
        prefix_property=None,
    ),
    "aws:cloudwatch/eventRule:EventRule": NameRule(
        "name",
        64,
        r"[A-Za-z0-9._-]+",
        "letters, digits, periods, hyphens, underscores",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
    ),
    "aws:cloudwatch/dashboard:Dashboard": NameRule(
        "dashboardName",
        255,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html",
        prefix_property=None,
    ),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": NameRule(
        "name",
        60,
        r"[\w-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html",
        prefix_property=None,
    ),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": NameRule(
        "name",
        60,
        r"[\w-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliveryDestination.html",
        prefix_property=None,
    ),
    "aws:ec2/securityGroup:SecurityGroup": NameRule(
        "name",
        255,
        r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+",
        "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": NameRule(
        "name",
        128,
        r"[A-Za-z0-9().\-/_]{3,128}",
        "letters, digits and ().-/_ (3-128)",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html",
    ),
    "aws:autoscaling/group:Group": NameRule(
        "name",
        255,
        r"[^\x00-\x1f]+",
        "printable characters",
        "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html",
    ),
    "aws:autoscaling/policy:Policy": NameRule(
        "name",
        255,
        r"[^\x00-\x1f]+",
        "printable characters",
        "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScalingPolicy.html",
        prefix_property=None,
    ),
    "aws:batch/computeEnvironment:ComputeEnvironment": NameRule(
        "name",
        128,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateComputeEnvironment.html",
    ),
    "aws:batch/jobQueue:JobQueue": NameRule(
        "name",
        128,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/batch/latest/APIReference/API_CreateJobQueue.html",
        prefix_property=None,
    ),
    "aws:batch/jobDefinition:JobDefinition": NameRule(
        "name",
        128,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html",
        prefix_property=None,
    ),
    "aws:ecr/repository:Repository": NameRule(
        "name",
        256,
        r"[a-z0-9]+(?:[._/-][a-z0-9]+)*",
        "lower-case letters, digits, single ._/- separators",
        "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
        prefix_property=None,
        min_length=2,
    ),
    "aws:route53/keySigningKey:KeySigningKey": NameRule(
        "name",
        128,
        r"[A-Za-z0-9_]+",
        "letters, digits, underscores",
        "https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateKeySigningKey.html",
        prefix_property=None,
        min_length=3,
    ),
    "aws:cognito/userPool:UserPool": NameRule(
        "name",
        128,
        r"[\w\s+=,.@-]+",
        "letters, digits, spaces, +=,.@_-",
        "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html",
        prefix_property=None,
    ),
    "aws:cognito/userPoolClient:UserPoolClient": NameRule(
        "name",
        128,
        r"[\w\s+=,.@-]+",
        "letters, digits, spaces, +=,.@_-",
        "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html",
        prefix_property=None,
    ),
    "aws:cloudtrail/trail:Trail": NameRule(
        "name",
        128,
        r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?",
        "letters, digits, periods, underscores, inner hyphens (3-128)",
        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html",
        prefix_property=None,
        min_length=3,
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": NameRule(
        "name",
        64,
        r"[^\x00-\x1f]+",
        "printable characters",
        "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html",
        prefix_property=None,
    ),
    "aws:cloudfront/cachePolicy:CachePolicy": NameRule(
        "name",
        128,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cloudfront-cachepolicy-cachepolicyconfig.html",
        prefix_property=None,
    ),
    "aws:cloudfront/function:Function": NameRule(
        "name",
        64,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateFunction.html",
        prefix_property=None,
    ),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": NameRule(
        "name",
        128,
        r"[A-Za-z0-9_-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cloudfront-responseheaderspolicy-responseheaderspolicyconfig.html",
        prefix_property=None,
    ),
    "aws:wafv2/webAcl:WebAcl": NameRule(
        "name",
        128,
        r"[\w-]+",
        "letters, digits, hyphens, underscores",
        "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html",
        prefix_property=None,
    ),
    "aws:kms/alias:Alias": NameRule(
        "name",
        256,
        r"alias/[A-Za-z0-9/_-]+",
        "alias/ then letters, digits, /_-",
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
    ),
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": NameRule(
        "name",
        128,
        r"[A-Za-z][A-Za-z0-9-]*",
        "letters, digits, hyphens; starts with a letter",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html",
        prefix_property=None,
    ),
    "aws:shield/protection:Protection": NameRule(
        "name",
        128,
        r"[ A-Za-z0-9_.-]+",
        "letters, digits, spaces, _.-",
        "https://docs.aws.amazon.com/waf/latest/DDOSAPIReference/API_CreateProtection.html",
        prefix_property=None,
    ),
    "aws:route53/healthCheck:HealthCheck": NameRule(
        # The provider appends "-" and a timestamp to it to make the CallerReference (at most
        # 64 characters); 28 leaves the timestamp room with a margin.
        "referenceName",
        28,
        r"[^\x00-\x1f]+",
        "printable characters",
        "https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHealthCheck.html",
        prefix_property=None,
    ),
}

# Types the program creates that have no name of their own (AWS assigns an id, or the name is
# a parent's or a fixed value), so no limit applies. A type in neither table fails the test.
UNNAMED: Final[frozenset[str]] = frozenset(
    {
        "aws:acm/certificate:Certificate",
        "aws:acm/certificateValidation:CertificateValidation",
        "aws:backup/regionSettings:RegionSettings",
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "aws:cloudfront/distribution:Distribution",
        "aws:cloudwatch/eventTarget:EventTarget",
        # Named by what it configures: the bucket, the domain.
        "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
        "aws:sesv2/emailIdentity:EmailIdentity",
        "aws:cloudwatch/logDelivery:LogDelivery",
        "aws:cognito/riskConfiguration:RiskConfiguration",
        "aws:cognito/userGroup:UserGroup",
        "aws:cognito/userPoolDomain:UserPoolDomain",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/flowLog:FlowLog",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:ecr/replicationConfiguration:ReplicationConfiguration",
        # Named by the zone they act on.
        "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec",
        "aws:route53/queryLog:QueryLog",
        # PutResourcePolicy documents no length or character limit for policyName.
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "aws:guardduty/detector:Detector",
        "aws:guardduty/detectorFeature:DetectorFeature",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:kms/key:Key",
        "aws:kms/replicaKey:ReplicaKey",
        "aws:lambda/codeSigningConfig:CodeSigningConfig",
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:lambda/invocation:Invocation",
        "aws:lb/listener:Listener",
        "aws:lb/listenerRule:ListenerRule",
        "aws:lb/targetGroupAttachment:TargetGroupAttachment",
        "aws:route53/record:Record",
        "aws:route53/zone:Zone",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketNotification:BucketNotification",
        "aws:s3/bucketObject:BucketObject",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:secretsmanager/secretRotation:SecretRotation",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:signer/signingJob:SigningJob",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    }
)


@dataclass(frozen=True)
class PhysicalName:
    resource: str  # logical name, as spelt for `region`
    type_: str
    region: str
    name: str
    how: str  # "explicit" | "prefix" | "auto"


def physical_name(type_: str, logical: str, inputs: dict[str, object]) -> tuple[str, str]:
    """The name AWS sees, and how it was made (explicit, prefix or auto)."""
    rule = RULES[type_]
    given = inputs.get(rule.property)
    if isinstance(given, str) and given:
        return given, "explicit"
    prefix = inputs.get(rule.prefix_property) if rule.prefix_property else None
    if isinstance(prefix, str) and prefix:
        return prefix + _PREFIX_SUFFIX, "prefix"
    return logical + AUTO_SUFFIX, "auto"


def _respelt(value: str, region: str, other: str) -> str:
    return value.replace(region, other)


def names_in_every_region(
    resources: Iterable[RecordedResource], regions: Iterable[str] = tuple(REGIONS)
) -> list[PhysicalName]:
    """Every named resource's physical name, as it would be spelt in each catalog region.

    Logical and physical names carry their region, so a resource recorded in us-east-1 is
    re-spelt with each other region in its place (the catalog has more regions than one
    program run can hold: prod's cells need three AZs, which us-west-1 lacks)."""
    targets = tuple(regions)
    names: list[PhysicalName] = []
    for resource in resources:
        if resource.type_ not in RULES:
            continue
        name, how = physical_name(resource.type_, resource.name, resource.inputs)
        home = resource.region or ""
        spellings = (
            [(r, _respelt(resource.name, home, r), _respelt(name, home, r)) for r in targets]
            if home and home in resource.name + name
            else [(home, resource.name, name)]
        )
        names.extend(
            PhysicalName(logical, resource.type_, r, n, how) for r, logical, n in spellings
        )
    return names


def violation(name: PhysicalName) -> str | None:
    rule = RULES[name.type_]
    problems = []
    if not rule.min_length <= len(name.name) <= rule.max_length:
        problems.append(f"{len(name.name)} characters, allowed {rule.min_length}-{rule.max_length}")
    if not re.fullmatch(rule.pattern, name.name):
        problems.append(f"characters outside {rule.allowed}")
    if not problems:
        return None
    return (
        f"{name.type_} {name.resource} in {name.region}: {name.how} name {name.name!r}: "
        + "; ".join(problems)
        + f" ({rule.source})"
    )


def violations(run: ProgramRun, regions: Iterable[str] = tuple(REGIONS)) -> list[str]:
    found = (violation(n) for n in names_in_every_region(run.resources, regions))
    return sorted({v for v in found if v})


def unclassified_types(run: ProgramRun) -> list[str]:
    """AWS types in the run that neither table knows: each needs a decision."""
    return sorted(
        {
            r.type_
            for r in run.resources
            if r.custom
            and r.type_.startswith("aws:")
            and r.type_ not in RULES
            and r.type_ not in UNNAMED
        }
    )


NAME_TABLE = GeneratedBlock(DOCS / "aws-names.md", "aws-names", "python -m offline.aws_names")


def table() -> str:
    rows = [
        "| resource type | name input | max | characters | prefix input | source |",
        "|---|---|---|---|---|---|",
    ]
    for type_, rule in sorted(RULES.items()):
        rows.append(
            f"| `{type_}` | `{rule.property}` | {rule.max_length} | "
            f"{rule.allowed.replace('|', '/')} | "
            f"{'`' + rule.prefix_property + '`' if rule.prefix_property else '-'} | "
            f"[AWS]({rule.source}) |"
        )
    return "\n".join(rows)


def main() -> int:
    NAME_TABLE.write(table())
    print(f"wrote the name table of docs/{NAME_TABLE.page.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
