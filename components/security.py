"""AccountSecurity (`shop3d:security:AccountSecurity`): what records and protects the account.

- CloudTrail: one multi-region trail (in the primary region), log files encrypted with the
  primary key and validated (digest files), delivered to a dedicated audit bucket (Object
  Lock: a year in prod, a day in dev), replicated to a second region, and to CloudWatch Logs.
- GuardDuty: a detector in every configured region (or, with shop3d:guardDuty=existing, the
  one the account already has, looked up); findings of medium severity and above go to that
  region's alarm topic through EventBridge.
- AWS Backup: a vault (the region's key) and a daily plan in every region, selecting the
  region's stateful resources (the global tables in the primary, the idempotency table and
  the Aurora cluster everywhere) and copying each recovery point to a second region.

Built after the cells: GuardDuty reports to their alarm topics.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.buckets import LifecycleRules, SecureBucket, kms_replication_rule, secure_bucket
from components.interfaces import RegionDataOutputs
from components.naming import global_name, physical, regional
from components.options import child, stateful
from stack_config.config import StackConfig

SCOPE: Final = "security"
# PCI DSS 10.5.1: a year of audit history. Prod locks every log file for that year
# (COMPLIANCE: nobody can shorten it); dev locks for a day in GOVERNANCE mode, which a
# principal allowed s3:BypassGovernanceRetention can override to tear the stack down.
AUDIT_LOCK: Final[dict[bool, tuple[str, int]]] = {
    True: ("COMPLIANCE", 365),
    False: ("GOVERNANCE", 1),
}
AUDIT_LOG_EXPIRY_DAYS: Final = 400
AUDIT_NONCURRENT_EXPIRY_DAYS: Final = 30
AUDIT_LOG_PREFIX: Final = "cloudtrail"
# GuardDuty severities: low 1-3.9, medium 4-6.9, high 7-8.9, critical 9+.
FINDING_MIN_SEVERITY: Final = 4
GUARDDUTY_FEATURES: Final = (
    "S3_DATA_EVENTS",
    "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS",
    "EBS_MALWARE_PROTECTION",
)
BACKUP_SCHEDULE: Final = "cron(0 5 * * ? *)"  # daily, 05:00 UTC: the quietest hour worldwide
BACKUP_START_WINDOW_MINUTES: Final = 60
BACKUP_COMPLETION_WINDOW_MINUTES: Final = 360
# AWS Backup's region settings are one map per account and region, and DescribeRegionSettings
# returns every resource type it knows (the list of pulumi-aws's RegionSettings docs, 7.x).
# The stack backs up Aurora, RDS and DynamoDB (advanced DynamoDB features: cross-region
# copies); an account that backs up other types elsewhere uses backupRegionSettings=existing.
BACKED_UP_TYPES: Final = ("Aurora", "DynamoDB", "RDS")
BACKUP_RESOURCE_TYPES: Final = (
    "Aurora",
    "CloudFormation",
    "DocumentDB",
    "DSQL",
    "DynamoDB",
    "EBS",
    "EC2",
    "EFS",
    "FSx",
    "Neptune",
    "RDS",
    "Redshift",
    "Redshift Serverless",
    "S3",
    "SAP HANA on Amazon EC2",
    "Storage Gateway",
    "VirtualMachine",
)
BACKUP_MANAGED_TYPES: Final = ("CloudFormation", "DSQL", "DynamoDB", "EFS")
BACKUP_OPT_IN: Final = {t: t in BACKED_UP_TYPES for t in BACKUP_RESOURCE_TYPES}
BACKUP_MANAGEMENT: Final = {t: t == "DynamoDB" for t in BACKUP_MANAGED_TYPES}
BACKUP_ROLE_POLICIES: Final = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
)


def copy_region(regions: tuple[str, ...], region: str) -> str | None:
    """Where a region's recovery points are copied: the next region in config order (the
    last one copies to the primary); a single-region stack has nowhere to copy to."""
    if len(regions) < 2:
        return None
    return regions[(regions.index(region) + 1) % len(regions)]


def backed_up_arns(data: RegionDataOutputs) -> list[pulumi.Output[str]]:
    """The stateful resources a region's backup plan selects. Global tables are backed up
    once, in the primary region, where the table resource lives; the copy action puts a
    copy in a second region."""
    arns = [data.idempotency.arn, data.cluster.arn]
    if data.is_primary:
        arns = [t.arn for t in data.tables.values()] + arns
    return arns


@dataclass(frozen=True)
class AccountSecurityArgs:
    config: StackConfig
    providers: Mapping[str, aws.Provider]
    # GlobalData.region_outputs(region) for every configured region.
    data: Mapping[str, RegionDataOutputs]
    # Each region's alarm topic (RegionalCell.alarm_topic_arn).
    alarm_topic_arns: Mapping[str, pulumi.Input[str]]


class AccountSecurity(pulumi.ComponentResource):
    trail: aws.cloudtrail.Trail
    audit_bucket: SecureBucket
    detector_ids: dict[str, pulumi.Output[str]]
    vaults: dict[str, aws.backup.Vault]
    plans: dict[str, aws.backup.Plan]
    selections: dict[str, aws.backup.Selection]
    backup_role_policies: list[aws.iam.RolePolicyAttachment]

    def __init__(
        self, name: str, args: AccountSecurityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("shop3d:security:AccountSecurity", name, None, opts)
        self._args = args
        config = args.config
        missing = [r for r in config.region_names if r not in args.alarm_topic_arns]
        if missing:
            raise ValueError(
                f"AccountSecurity: no alarm topic for {', '.join(missing)}; "
                "expected one per configured region"
            )
        self._audit_trail()
        self.detector_ids = {r: self._threat_detection(r) for r in config.region_names}
        self._backup_role()
        self.vaults = {r: self._vault(r) for r in config.region_names}
        self.plans = {}
        self.selections = {}
        for region in config.region_names:
            self._backup_plan(region)
        self.register_outputs(
            {
                "trailArn": self.trail.arn,
                "auditBucket": self.audit_bucket.id,
                "detectorIds": self.detector_ids,
                "backupVaultArns": {r: v.arn for r, v in self.vaults.items()},
                "backupPlanIds": {r: p.id for r, p in self.plans.items()},
            }
        )

    # CloudTrail ----------------------------------------------------------------------------

    def _audit_bucket(self, region: str) -> tuple[SecureBucket, list[pulumi.Resource]]:
        """An audit log bucket in `region` and what must exist before logs arrive in it."""
        config, data = self._args.config, self._args.data[region]
        provider = self._args.providers[region]
        bucket = secure_bucket(
            regional(SCOPE, region, "audit-logs"),
            "audit-logs",
            parent=self,
            protect=config.deletion_protection,
            provider=provider,
            kms_key_arn=data.key_arn,
            lifecycle=LifecycleRules(
                intelligent_tiering=False,
                noncurrent_to_glacier_days=None,
                noncurrent_expiry_days=AUDIT_NONCURRENT_EXPIRY_DAYS,
                expire_current_days=AUDIT_LOG_EXPIRY_DAYS,
            ),
            access_log_bucket=data.buckets.logs,
            object_lock=True,
        )
        # Object-level events to EventBridge: a rule can alarm on any deletion attempt.
        aws.s3.BucketNotification(
            f"{bucket.name}-events",
            bucket=bucket.id,
            eventbridge=True,
            opts=child(self, provider=provider),
        )
        mode, days = AUDIT_LOCK[config.is_prod]
        lock = aws.s3.BucketObjectLockConfiguration(
            f"{bucket.name}-object-lock",
            bucket=bucket.id,
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode=mode, days=days
                )
            ),
            opts=child(self, provider=provider, depends_on=[bucket.versioning]),
        )
        return bucket, [bucket.versioning, lock]

    def _replicate_audit_logs(
        self, source: SecureBucket, ready: list[pulumi.Resource], target: str
    ) -> aws.s3.BucketReplicationConfig:
        """Copy every log file to a bucket in `target`: the audit history outlives the loss of
        the primary region. Deletions are not replicated."""
        primary = self._args.config.primary.name
        provider = self._args.providers[primary]
        keys = {r: d.key_arn for r, d in self._args.data.items()}
        replica, replica_ready = self._audit_bucket(target)
        replica.attach_policy(parent=self)
        role = aws.iam.Role(
            regional(SCOPE, primary, "audit-replication-role"),
            assume_role_policy=iam.assume_role("s3.amazonaws.com"),
            opts=child(self, provider=provider),
        )
        replication_policy = aws.iam.RolePolicy(
            regional(SCOPE, primary, "audit-replication-policy"),
            role=role.id,
            policy=iam.document(
                [
                    iam.allow(["s3:GetReplicationConfiguration", "s3:ListBucket"], [source.arn]),
                    iam.allow(
                        [
                            "s3:GetObjectVersionForReplication",
                            "s3:GetObjectVersionAcl",
                            "s3:GetObjectVersionTagging",
                            "s3:GetObjectRetention",
                            "s3:GetObjectLegalHold",
                        ],
                        [iam.objects(source.arn)],
                    ),
                    iam.allow(
                        ["s3:ReplicateObject", "s3:ReplicateTags"], [iam.objects(replica.arn)]
                    ),
                    iam.allow(["kms:Decrypt"], [keys[primary]]),
                    iam.allow(["kms:Encrypt", "kms:GenerateDataKey"], [keys[target]]),
                ]
            ),
            opts=child(self, provider=provider),
        )
        return aws.s3.BucketReplicationConfig(
            regional(SCOPE, primary, "audit-replication"),
            role=role.arn,
            bucket=source.id,
            # Deletes are not replicated: the replica is the audit copy.
            rules=[
                kms_replication_rule(
                    f"audit-logs-to-{target}",
                    f"{AUDIT_LOG_PREFIX}/",
                    replica.arn,
                    keys[target],
                    replicate_deletes=False,
                )
            ],
            # Replication needs versioning (and the lock) on both sides first.
            # ... and S3 checks the role's permissions when the configuration is put.
            opts=child(
                self, provider=provider, depends_on=[*ready, *replica_ready, replication_policy]
            ),
        )

    def _audit_trail(self) -> None:
        config = self._args.config
        region = config.primary.name
        data = self._args.data[region]
        provider = self._args.providers[region]
        key_arn = data.key_arn
        trail_name = physical("trail")
        trail_arn = pulumi.Output.concat(
            "arn:aws:cloudtrail:", region, ":", data.account_id, ":trail/", trail_name
        )

        bucket, ready = self._audit_bucket(region)
        self.audit_bucket = bucket
        target = copy_region(config.region_names, region)
        if target is not None:
            ready.append(self._replicate_audit_logs(bucket, list(ready), target))
        from_this_trail = {"StringEquals": {"aws:SourceArn": trail_arn}}
        policy = bucket.attach_policy(
            [
                {
                    "Sid": "CloudTrailAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": bucket.arn,
                    "Condition": from_this_trail,
                },
                {
                    "Sid": "CloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(
                        bucket.arn, f"/{AUDIT_LOG_PREFIX}/AWSLogs/", data.account_id, "/*"
                    ),
                    "Condition": {
                        "StringEquals": {
                            "aws:SourceArn": trail_arn,
                            "s3:x-amz-acl": "bucket-owner-full-control",
                        }
                    },
                },
            ],
            parent=self,
        )

        log_group = aws.cloudwatch.LogGroup(
            regional(SCOPE, region, "trail-logs"),
            name=f"/shop3d/{pulumi.get_stack()}/cloudtrail",
            retention_in_days=config.log_retention_days,
            kms_key_id=key_arn,
            opts=child(self, provider=provider),
        )
        role = aws.iam.Role(
            regional(SCOPE, region, "trail-logs-role"),
            assume_role_policy=iam.assume_role("cloudtrail.amazonaws.com"),
            opts=child(self, provider=provider),
        )
        role_policy = aws.iam.RolePolicy(
            regional(SCOPE, region, "trail-logs-policy"),
            role=role.id,
            policy=iam.document(
                [
                    iam.allow(
                        ["logs:CreateLogStream", "logs:PutLogEvents"],
                        [pulumi.Output.concat(log_group.arn, ":log-stream:*")],
                    )
                ]
            ),
            opts=child(self, provider=provider),
        )
        self.trail = aws.cloudtrail.Trail(
            regional(SCOPE, region, "trail"),
            name=trail_name,
            s3_bucket_name=bucket.id,
            s3_key_prefix=AUDIT_LOG_PREFIX,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=key_arn,
            cloud_watch_logs_group_arn=pulumi.Output.concat(log_group.arn, ":*"),
            cloud_watch_logs_role_arn=role.arn,
            # CloudTrail checks that it may write to the bucket and the log group on create.
            opts=child(self, provider=provider, depends_on=[policy, role_policy, *ready]),
        )

    # GuardDuty -----------------------------------------------------------------------------

    def _threat_detection(self, region: str) -> pulumi.Output[str]:
        provider = self._args.providers[region]
        self._finding_alarms(region)
        if self._args.config.guard_duty == "existing":
            # One detector per account and region: the owner (Organizations' delegated
            # admin, Control Tower) keeps its settings; the stack only routes findings.
            found = aws.guardduty.get_detector_output(
                opts=pulumi.InvokeOutputOptions(provider=provider)
            )
            return found.id
        detector = aws.guardduty.Detector(
            regional(SCOPE, region, "guardduty"),
            enable=True,
            finding_publishing_frequency="FIFTEEN_MINUTES",
            opts=child(self, provider=provider),
        )
        for feature in GUARDDUTY_FEATURES:
            aws.guardduty.DetectorFeature(
                regional(SCOPE, region, "guardduty", feature.lower().replace("_", "-")),
                detector_id=detector.id,
                name=feature,
                status="ENABLED",
                opts=child(self, provider=provider),
            )
        return detector.id

    def _finding_alarms(self, region: str) -> None:
        provider = self._args.providers[region]
        rule = aws.cloudwatch.EventRule(
            regional(SCOPE, region, "guardduty-findings"),
            description=f"GuardDuty findings of severity {FINDING_MIN_SEVERITY}+ in {region}",
            event_pattern=json.dumps(
                {
                    "source": ["aws.guardduty"],
                    "detail-type": ["GuardDuty Finding"],
                    "detail": {"severity": [{"numeric": [">=", FINDING_MIN_SEVERITY]}]},
                }
            ),
            opts=child(self, provider=provider),
        )
        aws.cloudwatch.EventTarget(
            regional(SCOPE, region, "guardduty-findings-to-alarms"),
            rule=rule.name,
            arn=self._args.alarm_topic_arns[region],
            opts=child(self, provider=provider),
        )
        # A delivery EventBridge cannot make (topic policy, key policy) is dropped without a
        # trace anywhere else: alarm on it, through CloudWatch's own path to the topic.
        aws.cloudwatch.MetricAlarm(
            regional(SCOPE, region, "guardduty-findings-failed"),
            alarm_description=f"GuardDuty findings in {region} could not be delivered",
            namespace="AWS/Events",
            metric_name="FailedInvocations",
            dimensions={"RuleName": rule.name},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[self._args.alarm_topic_arns[region]],
            opts=child(self, provider=provider),
        )

    # AWS Backup ----------------------------------------------------------------------------

    def _backup_role(self) -> None:
        primary = self._args.config.primary.name
        provider = self._args.providers[primary]
        self.backup_role = aws.iam.Role(
            global_name(SCOPE, "backup-role"),
            assume_role_policy=iam.assume_role("backup.amazonaws.com"),
            opts=child(self, provider=provider),
        )
        self.backup_role_policies = [
            aws.iam.RolePolicyAttachment(
                global_name(SCOPE, "backup-role-policy", str(index)),
                role=self.backup_role.name,
                policy_arn=policy_arn,
                opts=child(self, provider=provider),
            )
            for index, policy_arn in enumerate(BACKUP_ROLE_POLICIES)
        ]

    def _vault(self, region: str) -> aws.backup.Vault:
        config = self._args.config
        provider = self._args.providers[region]
        protect = config.deletion_protection
        vault = aws.backup.Vault(
            regional(SCOPE, region, "backup-vault"),
            name=physical("backups"),
            kms_key_arn=self._args.data[region].key_arn,
            force_destroy=not protect,
            opts=stateful(self, protect, provider=provider),
        )
        # Cross-region copies of DynamoDB backups need AWS Backup's advanced DynamoDB
        # features; opting in Aurora and DynamoDB lets the plan back them up.
        if config.backup_region_settings == "manage":
            self._backup_region_settings(region)
        if protect:
            # Governance-mode lock: recovery points cannot be deleted early, except by a
            # principal explicitly allowed to bypass it.
            aws.backup.VaultLockConfiguration(
                regional(SCOPE, region, "backup-vault-lock"),
                backup_vault_name=vault.name,
                min_retention_days=config.backup_retention_days,
                opts=child(self, provider=provider),
            )
        return vault

    def _backup_region_settings(self, region: str) -> None:
        aws.backup.RegionSettings(
            regional(SCOPE, region, "backup-settings"),
            # The full maps: AWS returns every resource type, so a partial map is a diff on
            # every preview.
            resource_type_opt_in_preference=dict(BACKUP_OPT_IN),
            resource_type_management_preference=dict(BACKUP_MANAGEMENT),
            opts=child(self, provider=self._args.providers[region]),
        )

    def _backup_plan(self, region: str) -> None:
        config = self._args.config
        provider = self._args.providers[region]
        days = config.backup_retention_days
        target = copy_region(config.region_names, region)
        copies = (
            [
                aws.backup.PlanRuleCopyActionArgs(
                    destination_vault_arn=self.vaults[target].arn,
                    lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=days),
                )
            ]
            if target
            else None
        )
        plan = aws.backup.Plan(
            regional(SCOPE, region, "backup-plan"),
            name=physical("daily"),
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="daily",
                    target_vault_name=self.vaults[region].name,
                    schedule=BACKUP_SCHEDULE,
                    start_window=BACKUP_START_WINDOW_MINUTES,
                    completion_window=BACKUP_COMPLETION_WINDOW_MINUTES,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=days),
                    copy_actions=copies,
                )
            ],
            opts=child(self, provider=provider),
        )
        self.plans[region] = plan
        self.selections[region] = aws.backup.Selection(
            regional(SCOPE, region, "backup-selection"),
            name=physical("stateful"),
            plan_id=plan.id,
            iam_role_arn=self.backup_role.arn,
            resources=backed_up_arns(self._args.data[region]),
            # The first scheduled job assumes the role: its policies exist by then.
            opts=child(self, provider=provider, depends_on=self.backup_role_policies),
        )
