"""pulumi-aws 7 type tokens of the resources shop3d creates (one place for each)."""

from __future__ import annotations

from typing import Final

BUCKET: Final = "aws:s3/bucket:Bucket"
BUCKET_ACL: Final = "aws:s3/bucketAcl:BucketAcl"
BUCKET_LIFECYCLE: Final = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
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
LOAD_BALANCERS: Final = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS: Final = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")

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
LISTENER_RULES: Final = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
LOG_DELIVERY_SOURCE: Final = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
LOG_DELIVERY_DESTINATION: Final = "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"
TRAIL: Final = "aws:cloudtrail/trail:Trail"
SECRET: Final = "aws:secretsmanager/secret:Secret"  # noqa: S105 (a type token)
SECRET_ROTATION: Final = "aws:secretsmanager/secretRotation:SecretRotation"  # noqa: S105
USER_POOL: Final = "aws:cognito/userPool:UserPool"
