"""Type tokens of the resources shop3d creates (one place for each): the policy pack, the
offline tools (mocks, plan, diagram, cost) and the tests name them from here."""

from __future__ import annotations

from typing import Final

BUCKET: Final = "aws:s3/bucket:Bucket"
BUCKET_ACL: Final = "aws:s3/bucketAcl:BucketAcl"
BUCKET_LIFECYCLE: Final = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
BUCKET_CORS: Final = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration"
BUCKET_LOGGING: Final = "aws:s3/bucketLogging:BucketLogging"
BUCKET_NOTIFICATION: Final = "aws:s3/bucketNotification:BucketNotification"
BUCKET_OBJECT_LOCK: Final = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
BUCKET_OWNERSHIP: Final = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_POLICY: Final = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_PUBLIC_ACCESS_BLOCK: Final = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_REPLICATION: Final = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
BUCKET_SSE: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
BUCKET_VERSIONING: Final = "aws:s3/bucketVersioning:BucketVersioning"

DISTRIBUTION: Final = "aws:cloudfront/distribution:Distribution"
TABLE: Final = "aws:dynamodb/table:Table"
BACKUP_SELECTION: Final = "aws:backup/selection:Selection"

RDS_CLUSTER: Final = "aws:rds/cluster:Cluster"
RDS_GLOBAL_CLUSTER: Final = "aws:rds/globalCluster:GlobalCluster"
RDS_CLUSTER_INSTANCE: Final = "aws:rds/clusterInstance:ClusterInstance"

REPLICATION_GROUP: Final = "aws:elasticache/replicationGroup:ReplicationGroup"

# pulumi-aws keeps aws.alb.* as aliases of aws.lb.*: match both tokens.
LOAD_BALANCER: Final = "aws:lb/loadBalancer:LoadBalancer"
ALB_LOAD_BALANCER: Final = "aws:alb/loadBalancer:LoadBalancer"
LOAD_BALANCERS: Final = (LOAD_BALANCER, ALB_LOAD_BALANCER)
LISTENER: Final = "aws:lb/listener:Listener"
ALB_LISTENER: Final = "aws:alb/listener:Listener"
LISTENERS: Final = (LISTENER, ALB_LISTENER)

FUNCTION: Final = "aws:lambda/function:Function"
PERMISSION: Final = "aws:lambda/permission:Permission"
FUNCTION_URL: Final = "aws:lambda/functionUrl:FunctionUrl"

KMS_KEY: Final = "aws:kms/key:Key"
KMS_REPLICA_KEY: Final = "aws:kms/replicaKey:ReplicaKey"

WEB_ACL: Final = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_LOGGING: Final = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
WEB_ACL_ASSOCIATION: Final = "aws:wafv2/webAclAssociation:WebAclAssociation"

SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE: Final = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE: Final = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
DEFAULT_SECURITY_GROUP: Final = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
VPC: Final = "aws:ec2/vpc:Vpc"
AWSX_VPC: Final = "awsx:ec2:Vpc"

FLOW_LOG: Final = "aws:ec2/flowLog:FlowLog"
LISTENER_RULE: Final = "aws:lb/listenerRule:ListenerRule"
ALB_LISTENER_RULE: Final = "aws:alb/listenerRule:ListenerRule"
LISTENER_RULES: Final = (LISTENER_RULE, ALB_LISTENER_RULE)
LOG_DELIVERY_SOURCE: Final = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
LOG_DELIVERY_DESTINATION: Final = "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"
TRAIL: Final = "aws:cloudtrail/trail:Trail"
SECRET: Final = "aws:secretsmanager/secret:Secret"  # noqa: S105 (a type token)
SECRET_ROTATION: Final = "aws:secretsmanager/secretRotation:SecretRotation"  # noqa: S105
USER_POOL: Final = "aws:cognito/userPool:UserPool"

# The other resource types the program creates, by provider and module.
ACM_CERTIFICATE: Final = "aws:acm/certificate:Certificate"
AUTOSCALING_GROUP: Final = "aws:autoscaling/group:Group"
AUTOSCALING_POLICY: Final = "aws:autoscaling/policy:Policy"
BACKUP_PLAN: Final = "aws:backup/plan:Plan"
BACKUP_VAULT: Final = "aws:backup/vault:Vault"
BACKUP_VAULT_LOCK: Final = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
BATCH_COMPUTE_ENVIRONMENT: Final = "aws:batch/computeEnvironment:ComputeEnvironment"
BATCH_JOB_DEFINITION: Final = "aws:batch/jobDefinition:JobDefinition"
BATCH_JOB_QUEUE: Final = "aws:batch/jobQueue:JobQueue"
CACHE_POLICY: Final = "aws:cloudfront/cachePolicy:CachePolicy"
RESPONSE_HEADERS_POLICY: Final = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
DASHBOARD: Final = "aws:cloudwatch/dashboard:Dashboard"
EVENT_BUS: Final = "aws:cloudwatch/eventBus:EventBus"
EVENT_RULE: Final = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET: Final = "aws:cloudwatch/eventTarget:EventTarget"
LOG_DELIVERY: Final = "aws:cloudwatch/logDelivery:LogDelivery"
LOG_GROUP: Final = "aws:cloudwatch/logGroup:LogGroup"
METRIC_ALARM: Final = "aws:cloudwatch/metricAlarm:MetricAlarm"
COGNITO_IDENTITY_PROVIDER: Final = "aws:cognito/identityProvider:IdentityProvider"
COGNITO_RISK_CONFIGURATION: Final = "aws:cognito/riskConfiguration:RiskConfiguration"
COGNITO_USER_GROUP: Final = "aws:cognito/userGroup:UserGroup"
USER_POOL_CLIENT: Final = "aws:cognito/userPoolClient:UserPoolClient"
USER_POOL_DOMAIN: Final = "aws:cognito/userPoolDomain:UserPoolDomain"
LAUNCH_TEMPLATE: Final = "aws:ec2/launchTemplate:LaunchTemplate"
VPC_ENDPOINT: Final = "aws:ec2/vpcEndpoint:VpcEndpoint"
ECR_REPOSITORY: Final = "aws:ecr/repository:Repository"
GUARDDUTY_DETECTOR: Final = "aws:guardduty/detector:Detector"
GUARDDUTY_DETECTOR_FEATURE: Final = "aws:guardduty/detectorFeature:DetectorFeature"
IAM_ROLE: Final = "aws:iam/role:Role"
IAM_ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
IAM_ROLE_POLICY_ATTACHMENT: Final = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
CODE_SIGNING_CONFIG: Final = "aws:lambda/codeSigningConfig:CodeSigningConfig"
EVENT_SOURCE_MAPPING: Final = "aws:lambda/eventSourceMapping:EventSourceMapping"
LAMBDA_INVOCATION: Final = "aws:lambda/invocation:Invocation"
LAYER_VERSION: Final = "aws:lambda/layerVersion:LayerVersion"
TARGET_GROUP: Final = "aws:lb/targetGroup:TargetGroup"
TARGET_GROUP_ATTACHMENT: Final = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
RDS_SUBNET_GROUP: Final = "aws:rds/subnetGroup:SubnetGroup"
HEALTH_CHECK: Final = "aws:route53/healthCheck:HealthCheck"
DNS_RECORD: Final = "aws:route53/record:Record"
HOSTED_ZONE: Final = "aws:route53/zone:Zone"
BUCKET_OBJECT: Final = "aws:s3/bucketObject:BucketObject"
SAR_STACK: Final = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
SCHEDULE: Final = "aws:scheduler/schedule:Schedule"
SES_EMAIL_IDENTITY: Final = "aws:sesv2/emailIdentity:EmailIdentity"
SHIELD_PROTECTION: Final = "aws:shield/protection:Protection"
SHIELD_SUBSCRIPTION: Final = "aws:shield/subscription:Subscription"
SIGNING_JOB: Final = "aws:signer/signingJob:SigningJob"
SIGNING_PROFILE: Final = "aws:signer/signingProfile:SigningProfile"
SNS_TOPIC: Final = "aws:sns/topic:Topic"
SNS_TOPIC_POLICY: Final = "aws:sns/topicPolicy:TopicPolicy"
SQS_QUEUE: Final = "aws:sqs/queue:Queue"
SQS_QUEUE_POLICY: Final = "aws:sqs/queuePolicy:QueuePolicy"
SQS_REDRIVE_POLICY: Final = "aws:sqs/redrivePolicy:RedrivePolicy"
DOCKER_IMAGE: Final = "docker-build:index:Image"
# A Pulumi dynamic resource (components/images/replica.py: ReplicatedImage).
DYNAMIC_RESOURCE: Final = "pulumi-python:dynamic:Resource"
ECR_REPLICATION: Final = "aws:ecr/replicationConfiguration:ReplicationConfiguration"
KEY_SIGNING_KEY: Final = "aws:route53/keySigningKey:KeySigningKey"
HOSTED_ZONE_DNSSEC: Final = "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec"
QUERY_LOG: Final = "aws:route53/queryLog:QueryLog"
LOG_RESOURCE_POLICY: Final = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
AWS_PROVIDER: Final = "pulumi:providers:aws"
RANDOM_PASSWORD: Final = "random:index/randomPassword:RandomPassword"  # noqa: S105 (a type token)

# What holds data or is costly to lose: protected (protect=True) in prod, checked by the policy
# pack's stateful-protected rule and by the program's graph tests alike.
STATEFUL: Final = (
    BUCKET,
    TABLE,
    RDS_CLUSTER,
    RDS_GLOBAL_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    KMS_KEY,
    KMS_REPLICA_KEY,
    SECRET,
    REPLICATION_GROUP,
    USER_POOL,
    HOSTED_ZONE,
    BACKUP_VAULT,
)
