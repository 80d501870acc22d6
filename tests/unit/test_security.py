"""AccountSecurity over the recorded graph, for dev, prod and generated region lists: one
multi-region trail, a GuardDuty detector reporting to the alarm topic in every region, and
AWS Backup covering every stateful resource with a copy in a second region. The policy pack's
rules for these types (and for the audit bucket) hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.security import FINDING_MIN_SEVERITY, copy_region
from offline.mocks import ACCOUNT_ID as ACCOUNT
from offline.runner import ProgramRun, RecordedResource
from policy import tokens
from policy.evaluate import evaluate
from policy.exemptions import from_stack_config
from stack_config.catalog import REGIONS
from stack_config.config import parse_config
from tests.policy.replay import identities, to_stack
from tests.unit.conftest import ProgramFactory
from tests.unit.graph import CLUSTER, TABLE, in_region

TRAIL = tokens.TRAIL
DETECTOR = tokens.GUARDDUTY_DETECTOR
DETECTOR_FEATURE = tokens.GUARDDUTY_DETECTOR_FEATURE
EVENT_RULE = tokens.EVENT_RULE
EVENT_TARGET = tokens.EVENT_TARGET
TOPIC = tokens.SNS_TOPIC
VAULT = tokens.BACKUP_VAULT
VAULT_LOCK = tokens.BACKUP_VAULT_LOCK
PLAN = tokens.BACKUP_PLAN
SELECTION = tokens.BACKUP_SELECTION
USER_POOL = tokens.USER_POOL
ROOT = Path(__file__).resolve().parents[2]
# The policy rules this part answers for; every rule also runs on the resources it created.
OWN_RULE_PREFIXES = ("cloudtrail-", "cognito-", "kms-")
OWN_RULES = ("dynamodb-backup-plan", "aurora-aws-backup")
OWN_COMPONENTS = ("shop3d:security:AccountSecurity", "shop3d:identity:Identity")


def arn_of(resource: RecordedResource) -> str:
    (arn,) = [i for i in identities(resource) if i.startswith("arn:")]
    return arn


def assert_account_security(run: ProgramRun, regions: list[str]) -> None:
    primary = regions[0]
    # One pool, one trail (multi-region, validated, KMS, also to CloudWatch Logs).
    assert [p.region for p in run.of_type(USER_POOL)] == [primary]
    (trail,) = run.of_type(TRAIL)
    assert trail.region == primary
    assert trail.inputs["isMultiRegionTrail"] is True
    assert trail.inputs["includeGlobalServiceEvents"] is True
    assert trail.inputs["enableLogFileValidation"] is True
    assert trail.inputs["kmsKeyId"].startswith(f"arn:aws:kms:{primary}:")
    assert trail.inputs["cloudWatchLogsGroupArn"].endswith(":*")
    assert trail.inputs["cloudWatchLogsRoleArn"]

    # GuardDuty: a detector per region, findings to that region's alarm topic.
    assert sorted(str(d.region) for d in run.of_type(DETECTOR)) == sorted(regions)
    topics = {str(t.region): arn_of(t) for t in run.of_type(TOPIC) if t.name.endswith("-alarms")}
    for region in regions:
        (detector,) = in_region(run, DETECTOR, region)
        assert detector.inputs["enable"] is True
        features = in_region(run, DETECTOR_FEATURE, region)
        assert {f.inputs["name"] for f in features} >= {"S3_DATA_EVENTS", "RDS_LOGIN_EVENTS"}
        (rule,) = [
            r
            for r in in_region(run, EVENT_RULE, region)
            if "guardduty" in r.inputs.get("eventPattern", "")
        ]
        pattern = json.loads(rule.inputs["eventPattern"])
        assert pattern["detail-type"] == ["GuardDuty Finding"]
        assert pattern["detail"]["severity"] == [{"numeric": [">=", FINDING_MIN_SEVERITY]}]
        (target,) = [
            t
            for t in in_region(run, EVENT_TARGET, region)
            if t.name.endswith("guardduty-findings-to-alarms")
        ]
        assert target.inputs["arn"] == topics[region]
        # ... and the topic lets EventBridge of this account publish to it.
        (policy,) = [
            p
            for p in in_region(run, tokens.SNS_TOPIC_POLICY, region)
            if p.inputs["arn"] == topics[region]
        ]
        publishers = [
            s
            for s in json.loads(policy.inputs["policy"])["Statement"]
            if s["Action"] == "sns:Publish"
        ]
        assert any(
            "events.amazonaws.com" in s["Principal"]["Service"]
            and s["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
            for s in publishers
        )

    # Backup: every table and every Aurora cluster is selected by the plan of its region,
    # and that plan copies to a vault in another region.
    vaults = {str(v.region): v for v in run.of_type(VAULT)}
    assert sorted(vaults) == sorted(regions)
    vault_arns = {region: arn_of(v) for region, v in vaults.items()}
    plans = {str(p.region): p for p in run.of_type(PLAN)}
    selections = {str(s.region): s for s in run.of_type(SELECTION)}
    assert sorted(plans) == sorted(selections) == sorted(regions)
    for resource in run.of_type(TABLE) + run.of_type(CLUSTER):
        selected = selections[str(resource.region)].inputs["resources"]
        assert arn_of(resource) in selected, f"{resource.name} is in no backup selection"
    config = parse_config(
        {
            "environment": run.stack,
            "regions": regions,
            "domain": "shop.example.com",
            "hostedZoneId": "Z1",
        }
    )
    for region, plan in plans.items():
        (rule,) = plan.inputs["rules"]
        assert rule["lifecycle"]["deleteAfter"] == config.backup_retention_days
        assert rule["targetVaultName"] == vaults[region].inputs["name"]
        copies = [c["destinationVaultArn"] for c in rule.get("copyActions") or []]
        if len(regions) == 1:
            assert copies == []
        else:
            assert copies == [vault_arns[copy_region(tuple(regions), region) or ""]]
            assert f":{region}:" not in copies[0]
        assert vaults[region].inputs["kmsKeyArn"].startswith(f"arn:aws:kms:{region}:")


def own_findings(run: ProgramRun) -> list[str]:
    # The stack file's exemptions (rules a stack relaxes on purpose, each with its reason).
    exempt = [e.rule for e in from_stack_config(ROOT / f"Pulumi.{run.stack}.yaml")]
    return [
        str(f)
        for f in evaluate(to_stack(run), exempt=exempt)
        if f.mandatory
        and (
            f.rule.startswith(OWN_RULE_PREFIXES)
            or f.rule in OWN_RULES
            or any(c in (f.urn or "") for c in OWN_COMPONENTS)
        )
        # protect=True is a stack-wide preset decision (dev protects nothing): not this part's.
        and not (run.stack == "dev" and f.rule in ("stateful-protected", "kms-deletion-guard"))
    ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    assert_account_security(run, run.outputs["regions"])


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(regions=st.lists(st.sampled_from(sorted(REGIONS)), min_size=1, max_size=4, unique=True))
def test_generated_region_lists(program: ProgramFactory, regions: list[str]) -> None:
    assert_account_security(program("dev", {"regions": regions}), regions)


def test_single_region_stack_backs_up_without_a_copy(program: ProgramFactory) -> None:
    assert_account_security(program("dev", {"regions": ["eu-west-1"]}), ["eu-west-1"])


def test_copy_region_goes_round_the_configured_regions() -> None:
    regions = ("us-east-1", "eu-west-1", "ap-southeast-2")
    assert [copy_region(regions, r) for r in regions] == [
        "eu-west-1",
        "ap-southeast-2",
        "us-east-1",
    ]
    assert copy_region(("us-east-1",), "us-east-1") is None


def test_prod_locks_audit_logs_and_backups(program: ProgramFactory) -> None:
    run = program("prod")
    (trail,) = run.of_type(TRAIL)
    bucket = run.named("security-us-east-1-audit-logs")
    assert bucket.inputs["objectLockEnabled"] is True and bucket.protect
    locks = {lock.region: lock for lock in run.of_type(tokens.BUCKET_OBJECT_LOCK)}
    # The primary's audit bucket and its replica in the next region, both locked.
    assert sorted(str(r) for r in locks) == ["eu-west-1", "us-east-1"]
    for lock in locks.values():
        assert lock.inputs["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 365}
    assert locks["us-east-1"].urn in trail.dependencies
    assert run.named("security-eu-west-1-audit-logs").inputs["objectLockEnabled"] is True
    assert sorted(str(v.region) for v in run.of_type(VAULT_LOCK)) == sorted(run.outputs["regions"])
    assert all(v.inputs["minRetentionDays"] == 35 for v in run.of_type(VAULT_LOCK))
    assert all(v.protect and v.inputs["forceDestroy"] is False for v in run.of_type(VAULT))


def test_audit_logs_replicate_to_a_second_region_without_deletes(program: ProgramFactory) -> None:
    run = program("prod")
    replication = run.named("security-us-east-1-audit-replication")
    assert replication.inputs["bucket"] in identities(run.named("security-us-east-1-audit-logs"))
    (rule,) = replication.inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}
    replica = run.named("security-eu-west-1-audit-logs")
    assert replica.region == "eu-west-1"
    assert rule["destination"]["bucket"] == arn_of(replica)
    assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"].startswith(
        "arn:aws:kms:eu-west-1:"
    )
    assert replication.urn in run.named("security-us-east-1-trail").dependencies


def test_dev_can_be_torn_down(program: ProgramFactory) -> None:
    run = program("dev")
    # Locked for a day in GOVERNANCE mode: a teardown may bypass it, nothing else.
    assert run.named("security-us-east-1-audit-logs").inputs["objectLockEnabled"] is True
    (lock,) = [
        r
        for r in run.of_type(tokens.BUCKET_OBJECT_LOCK)
        if r.name.startswith("security-us-east-1-")
    ]
    assert lock.inputs["rule"]["defaultRetention"] == {"mode": "GOVERNANCE", "days": 1}
    assert run.of_type(VAULT_LOCK) == []
    assert all(v.inputs["forceDestroy"] is True for v in run.of_type(VAULT))


def test_trail_may_write_only_its_own_prefix(program: ProgramFactory) -> None:
    run = program("prod")
    (trail,) = run.of_type(TRAIL)
    policy = next(
        p
        for p in run.of_type(tokens.BUCKET_POLICY)
        if p.name == "security-us-east-1-audit-logs-policy"
    )
    statements = {s.get("Sid"): s for s in json.loads(policy.inputs["policy"])["Statement"]}
    write = statements["CloudTrailWrite"]
    assert write["Resource"].endswith(f"/{trail.inputs['s3KeyPrefix']}/AWSLogs/123456789012/*")
    assert write["Condition"]["StringEquals"]["aws:SourceArn"] == (
        f"arn:aws:cloudtrail:us-east-1:123456789012:trail/{trail.inputs['name']}"
    )
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_policy_rules_hold(program: ProgramFactory, stack: str) -> None:
    assert own_findings(program(stack)) == []


REGION_SETTINGS = "aws:backup/regionSettings:RegionSettings"


def test_existing_account_singletons_are_adopted_not_created(program: ProgramFactory) -> None:
    # Where Organizations or Control Tower enabled them, creating either fails ("a detector
    # already exists"): the stack looks the detector up and still routes its findings.
    run = program("dev", {"guardDuty": "existing", "backupRegionSettings": "existing"})
    regions = list(run.outputs["regions"])
    assert not run.of_type(DETECTOR) and not run.of_type(DETECTOR_FEATURE)
    assert not run.of_type(REGION_SETTINGS)
    targets = [
        t for t in run.of_type(EVENT_TARGET) if t.name.endswith("guardduty-findings-to-alarms")
    ]
    assert sorted(str(t.region) for t in targets) == sorted(regions)


def test_managed_backup_settings_declare_the_full_map_aws_returns(program: ProgramFactory) -> None:
    # DescribeRegionSettings returns every resource type: a partial map diffs on every preview.
    for region_settings in program("prod").of_type(REGION_SETTINGS):
        opt_in = region_settings.inputs["resourceTypeOptInPreference"]
        assert len(opt_in) == 17
        assert {t for t, on in opt_in.items() if on} == {"Aurora", "DynamoDB", "RDS"}
        assert region_settings.inputs["resourceTypeManagementPreference"] == {
            "CloudFormation": False,
            "DSQL": False,
            "DynamoDB": True,
            "EFS": False,
        }
