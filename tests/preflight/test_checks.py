"""Each preflight check against a stated account, at the seam (the Account protocol): what
moto's server cannot answer (Service Quotas for Lambda, Backup region settings, public DNS)
is stated here in the shapes AWS documents."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from preflight.__main__ import stack_checks
from preflight.checks import (
    Check,
    EmailIdentityFacts,
    ReplicationRule,
    ZoneFacts,
    report,
    run_checks,
)
from stack_config.config import StackConfig, parse_config

NAME_SERVERS = ("ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com")


@dataclass
class StatedAccount:
    quota: int | None = 1000
    zones: dict[str, ZoneFacts] = field(default_factory=dict)
    delegation: tuple[str, ...] | None = NAME_SERVERS
    detectors: tuple[str, ...] | None = ()
    opt_in: dict[str, bool] | None = None
    shield: bool | None = False
    # By region; a region not listed has no identity.
    identities: dict[str, EmailIdentityFacts] = field(default_factory=dict)
    production_access: bool | None = True
    replication: tuple[ReplicationRule, ...] | None = ()

    def lambda_concurrency_quota(self, region: str) -> int | None:
        return self.quota

    def hosted_zone(self, zone_id: str) -> ZoneFacts | None:
        return self.zones.get(zone_id)

    def public_name_servers(self, domain: str) -> tuple[str, ...] | None:
        return self.delegation

    def guardduty_detectors(self, region: str) -> tuple[str, ...] | None:
        return self.detectors

    def backup_opt_in(self, region: str) -> dict[str, bool] | None:
        return self.opt_in

    def shield_subscribed(self) -> bool | None:
        return self.shield

    def email_identity(self, region: str, identity: str) -> EmailIdentityFacts | bool | None:
        return self.identities.get(region, False)

    def ses_production_access(self, region: str) -> bool | None:
        return self.production_access

    def ecr_replication_rules(self, region: str) -> tuple[ReplicationRule, ...] | None:
        return self.replication


def config(**raw: object) -> StackConfig:
    return parse_config(raw)


def only(checks: list[Check], name: str) -> list[Check]:
    return [c for c in checks if c.name == name]


def test_a_new_accounts_ten_cannot_hold_any_reservation() -> None:
    checks = run_checks(StatedAccount(quota=10), config(lambdaReservedConcurrency=5))
    concurrency = only(checks, "lambda-concurrency")
    assert len(concurrency) == 2 and all(c.blocks for c in concurrency)
    assert "at most 0" in concurrency[0].fix and "L-B99A9384" in concurrency[0].fix


def test_no_reservation_passes_on_a_new_account_in_dev() -> None:
    checks = run_checks(StatedAccount(quota=10), config())
    assert all(c.passed for c in only(checks, "lambda-concurrency"))


def test_prod_below_the_established_quota_is_a_warning_not_a_blocker() -> None:
    zone = {"Z1": ZoneFacts("shop.example.com", NAME_SERVERS)}
    checks = run_checks(
        StatedAccount(quota=10, zones=zone),
        config(environment="prod", domain="shop.example.com", hostedZoneId="Z1"),
    )
    (first, *_) = only(checks, "lambda-concurrency")
    assert not first.passed and not first.blocks and "to 1000" in first.fix


def test_an_undelegated_zone_blocks_and_names_its_name_servers() -> None:
    zone = {"Z1": ZoneFacts("shop.example.com", NAME_SERVERS)}
    stack = config(domain="shop.example.com", hostedZoneId="Z1")
    (delegation,) = only(run_checks(StatedAccount(zones=zone, delegation=()), stack), "delegation")
    assert delegation.blocks and "nothing" in delegation.detail
    assert all(ns in delegation.fix for ns in NAME_SERVERS)
    (ok,) = only(run_checks(StatedAccount(zones=zone), stack), "delegation")
    assert ok.passed


def test_a_missing_or_foreign_zone_points_at_bootstrap_zone() -> None:
    stack = config(domain="shop.example.com", hostedZoneId="Z1")
    (missing,) = only(run_checks(StatedAccount(), stack), "hosted-zone")
    assert missing.blocks and "./shop3d bootstrap-zone shop.example.com" in missing.fix
    other = {"Z1": ZoneFacts("other.example.com", NAME_SERVERS)}
    (foreign,) = only(run_checks(StatedAccount(zones=other), stack), "hosted-zone")
    assert foreign.blocks and "other.example.com" in foreign.detail


@pytest.mark.parametrize(
    ("mode", "detectors", "blocks"),
    [
        ("manage", ("d1",), True),
        ("manage", (), False),
        ("existing", (), True),
        ("existing", ("d1",), False),
    ],
)
def test_guardduty_mode_must_match_the_account(
    mode: str, detectors: tuple[str, ...], blocks: bool
) -> None:
    checks = only(
        run_checks(StatedAccount(detectors=detectors), config(guardDuty=mode)), "guardduty-detector"
    )
    assert [c.blocks for c in checks] == [blocks, blocks]


def test_existing_backup_settings_must_opt_in_what_the_stack_backs_up() -> None:
    stated = StatedAccount(opt_in={"Aurora": True, "DynamoDB": False, "RDS": True, "EBS": True})
    (first, *_) = only(
        run_checks(stated, config(backupRegionSettings="existing")), "backup-region-settings"
    )
    assert first.blocks and "DynamoDB" in first.detail and "DynamoDB=true" in first.fix


def test_shield_advanced_without_a_subscription_blocks() -> None:
    (check,) = only(run_checks(StatedAccount(shield=False), config(shieldAdvanced=True)), "shield")
    assert check.blocks and "create-subscription" in check.fix
    assert not only(run_checks(StatedAccount(), config()), "shield")


def test_an_unreadable_answer_is_a_warning_with_the_permission_to_grant() -> None:
    (first, *_) = only(run_checks(StatedAccount(quota=None), config()), "lambda-concurrency")
    assert not first.passed and not first.blocks
    assert "servicequotas:GetServiceQuota" in first.fix


def test_the_report_says_block_and_fix_per_failure_and_counts_blockers() -> None:
    text = report(run_checks(StatedAccount(detectors=("d1",)), config()))
    assert "BLOCK  guardduty-detector" in text and "fix: set shop3d:guardDuty to existing" in text
    assert text.endswith("2 blocker(s): fix them before the first deploy")


def test_the_prod_stack_file_is_checked_with_its_zone_and_three_regions() -> None:
    zone = {"Z0000000SHOP3DEXAMPLE": ZoneFacts("shop3d.example.com", NAME_SERVERS)}
    checks = stack_checks("prod", StatedAccount(zones=zone))
    assert [c.scope for c in only(checks, "lambda-concurrency")] == [
        "us-east-1",
        "eu-west-1",
        "ap-southeast-2",
    ]
    assert not any(c.blocks for c in checks)


ZONE = {"Z1": ZoneFacts("shop.example.com", NAME_SERVERS)}
WITH_DOMAIN = {"domain": "shop.example.com", "hostedZoneId": "Z1"}


def test_the_notifications_sender_identity_is_checked_in_every_region() -> None:
    checks = only(run_checks(StatedAccount(zones=ZONE), config(**WITH_DOMAIN)), "ses-identity")
    assert [c.scope for c in checks] == ["us-east-1", "eu-west-1"]
    assert all(c.passed and "orders@shop.example.com" in c.detail for c in checks)


def test_an_identity_already_in_a_region_blocks_and_says_how_to_adopt_it() -> None:
    account = StatedAccount(zones=ZONE, identities={"eu-west-1": EmailIdentityFacts(True)})
    (passed, blocked) = only(run_checks(account, config(**WITH_DOMAIN)), "ses-identity")
    assert passed.passed and blocked.blocks and blocked.scope == "eu-west-1"
    assert "already exists here (verified)" in blocked.detail
    assert (
        "pulumi import aws:sesv2/emailIdentity:EmailIdentity "
        "cell-eu-west-1-orders-email-identity shop.example.com"
    ) in blocked.fix


def test_the_ses_sandbox_is_a_warning_naming_the_sender() -> None:
    account = StatedAccount(zones=ZONE, production_access=False)
    checks = only(run_checks(account, config(**WITH_DOMAIN)), "ses-production-access")
    assert len(checks) == 2 and all(not c.passed and not c.blocks for c in checks)
    assert "orders@shop.example.com" in checks[0].detail
    assert "put-account-details --region us-east-1" in checks[0].fix


def test_without_a_domain_no_ses_check_runs() -> None:
    checks = run_checks(StatedAccount(production_access=None), config())
    assert only(checks, "ses-identity") == only(checks, "ses-production-access") == []


def test_a_managed_replication_blocks_over_rules_another_owner_wrote() -> None:
    theirs = (ReplicationRule(destinations=("us-west-2",), prefixes=("team-a-",)),)
    (check,) = only(run_checks(StatedAccount(replication=theirs), config()), "ecr-replication")
    assert check.blocks and check.scope == "us-east-1"
    assert "shop3d:ecrReplication to existing" in check.fix and "shop3d-dev-*" in check.fix
    (free,) = only(run_checks(StatedAccount(replication=()), config()), "ecr-replication")
    assert free.passed


def test_an_existing_replication_must_copy_the_stacks_prefix_to_every_secondary() -> None:
    stack = config(environment="prod", ecrReplication="existing", **WITH_DOMAIN)
    partial = (ReplicationRule(destinations=("eu-west-1",), prefixes=("shop3d-",)),)
    account = StatedAccount(zones=ZONE, replication=partial)
    (check,) = only(run_checks(account, stack, "prod"), "ecr-replication")
    assert check.blocks and "ap-southeast-2" in check.detail and "eu-west-1" not in check.detail
    whole = (*partial, ReplicationRule(destinations=("ap-southeast-2",), prefixes=()))
    account = StatedAccount(zones=ZONE, replication=whole)
    (check,) = only(run_checks(account, stack, "prod"), "ecr-replication")
    assert check.passed


def test_a_single_region_stack_needs_no_replication() -> None:
    checks = run_checks(StatedAccount(replication=None), config(regions=["eu-west-1"]))
    assert only(checks, "ecr-replication") == []
