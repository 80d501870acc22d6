"""AwsAccount against moto's server where moto answers (Route 53, GuardDuty, Shield, SES v2
identities, ECR registry settings); where it does not (Service Quotas and Lambda account
settings, Backup region settings, SES v2 GetAccount) the answer is None, which the checks
report as unreadable rather than as a pass."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from preflight.__main__ import main as preflight_main
from preflight.account import AwsAccount
from preflight.checks import run_checks
from preflight.zone import bootstrap_zone
from stack_config.config import parse_config

REGION = "eu-west-1"


@pytest.fixture
def session(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    yield boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


def test_a_bootstrapped_zone_is_found_with_its_name_servers(session: Any) -> None:
    domain = f"shop-{uuid.uuid4().hex[:8]}.example.com"
    zone = bootstrap_zone(session.client("route53"), domain)
    facts = AwsAccount(session).hosted_zone(zone.zone_id)
    assert facts is not None and facts.name == domain
    assert facts.name_servers == zone.name_servers
    assert AwsAccount(session).hosted_zone("ZNOSUCHZONE0000") is None


def test_an_existing_detector_is_listed_and_blocks_a_managed_one(session: Any) -> None:
    region = "ap-northeast-2"
    account = AwsAccount(session)
    before = account.guardduty_detectors(region)
    assert before is not None
    if not before:
        session.client("guardduty", region_name=region).create_detector(Enable=True)
    (detector,) = account.guardduty_detectors(region) or ()
    config = parse_config({"regions": [region]})
    (check,) = [c for c in run_checks(account, config) if c.name == "guardduty-detector"]
    assert check.blocks and detector in check.detail


def test_shield_reads_as_not_subscribed_until_a_subscription_exists(session: Any) -> None:
    account = AwsAccount(session)
    if account.shield_subscribed() is False:
        session.client("shield", region_name="us-east-1").create_subscription()
    assert account.shield_subscribed() is True


def test_answers_moto_cannot_give_are_none_not_guesses(session: Any) -> None:
    account = AwsAccount(session)
    assert account.lambda_concurrency_quota(REGION) is None
    assert account.backup_opt_in(REGION) is None
    assert account.ses_production_access(REGION) is None


def test_the_senders_domain_identity_is_found_only_where_it_exists(session: Any) -> None:
    domain = f"shop-{uuid.uuid4().hex[:8]}.example.com"
    account = AwsAccount(session)
    assert account.email_identity(REGION, domain) is False
    session.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=domain)
    found = account.email_identity(REGION, domain)
    assert found is not None and found is not False
    assert account.email_identity("ap-southeast-2", domain) is False
    stack = parse_config(
        {"regions": [REGION, "ap-southeast-2"], "domain": domain, "hostedZoneId": "Z1"}
    )
    checks = {c.scope: c for c in run_checks(account, stack) if c.name == "ses-identity"}
    assert checks[REGION].blocks and "pulumi import" in checks[REGION].fix
    assert checks["ap-southeast-2"].passed and f"orders@{domain}" in checks["ap-southeast-2"].detail


def test_the_registrys_replication_rules_are_read_as_ecr_describes_them(session: Any) -> None:
    region = "ca-central-1"
    ecr = session.client("ecr", region_name=region)
    account = AwsAccount(session)
    ecr.put_replication_configuration(
        replicationConfiguration={
            "rules": [
                {
                    "destinations": [{"region": "eu-west-1", "registryId": "123456789012"}],
                    "repositoryFilters": [{"filter": "shop3d-", "filterType": "PREFIX_MATCH"}],
                }
            ]
        }
    )
    (rule,) = account.ecr_replication_rules(region) or ()
    assert rule.destinations == ("eu-west-1",) and rule.prefixes == ("shop3d-",)
    stack = parse_config({"regions": [region, "eu-west-1"], "ecrReplication": "existing"})
    (check,) = [c for c in run_checks(account, stack) if c.name == "ecr-replication"]
    assert check.passed and "shop3d-dev-*" in check.detail


@pytest.mark.usefixtures("no_credentials")
def test_no_credentials_is_one_blocker_saying_how_to_provide_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert preflight_main(["dev"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("BLOCK  aws-credentials")
    assert "no AWS credentials found" in out and "AWS_PROFILE" in out
    assert "WARN" not in out and "1 blocker(s)" in out


def test_credentials_sts_answers_for_pass_naming_the_account(session: Any) -> None:
    check = AwsAccount(session).credentials()
    assert check.passed and "account 123456789012" in check.detail


def test_credentials_sts_refuses_are_a_blocker_naming_its_error() -> None:
    error = ClientError(
        {"Error": {"Code": "ExpiredToken", "Message": "The security token has expired"}},
        "GetCallerIdentity",
    )

    class Refusing:
        region_name = "eu-west-1"

        def client(self, service: str, region_name: str | None = None) -> Any:
            class Sts:
                def get_caller_identity(self) -> Any:
                    raise error

            return Sts()

    check = AwsAccount(Refusing()).credentials()
    assert check.blocks
    assert "ExpiredToken" in check.detail and "aws sso login" in check.fix
