"""The hosted zone's DNSSEC signing and query logging over the recorded graph (prod on, dev off,
each key turns its part off), and the policy pack noticing when prod turns them off.

Shapes from AWS's docs: Route 53 Developer Guide, "Working with customer managed keys for
DNSSEC" (us-east-1, ECC_NIST_P256, SIGN_VERIFY, the key policy statements for
dnssec-route53.amazonaws.com); Route 53 API reference, CreateQueryLoggingConfig (a us-east-1
log group, /aws/route53/<zone name> recommended, a CloudWatch Logs resource policy for
route53.amazonaws.com)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from offline.mocks import ACCOUNT_ID
from offline.runner import ProgramRun, RecordedResource
from policy import tokens as t
from policy.evaluate import evaluate
from tests.policy.replay import to_stack
from tests.unit.conftest import ProgramFactory

DOMAIN = "shop3d.example.com"  # Pulumi.prod.yaml
ZONE_ID = "Z0000000SHOP3DEXAMPLE"
DEV_WITH_DOMAIN = {"domain": "dev.example.com", "hostedZoneId": "ZDEV0000000000"}
ZONE_TYPES = (
    t.KEY_SIGNING_KEY,
    t.HOSTED_ZONE_DNSSEC,
    t.QUERY_LOG,
    t.LOG_RESOURCE_POLICY,
)


def of_types(run: ProgramRun, *types: str) -> list[RecordedResource]:
    return [r for r in run.resources if r.type_ in types]


def statements(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_prod_signs_its_zone_with_the_key_route53_prescribes(program: ProgramFactory) -> None:
    run = program("prod")
    key = run.named("edge-us-east-1-dnssec-key")
    assert key.region == "us-east-1"
    assert key.inputs["customerMasterKeySpec"] == "ECC_NIST_P256"
    assert key.inputs["keyUsage"] == "SIGN_VERIFY"
    assert key.protect and key.inputs["deletionWindowInDays"] == 30
    policy = statements(key.inputs["policy"])
    signs = policy["Route53DnssecSigns"]
    assert signs["Principal"] == {"Service": "dnssec-route53.amazonaws.com"}
    assert sorted(signs["Action"]) == ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"]
    assert signs["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": "arn:aws:route53:::hostedzone/*"},
    }
    grants = policy["Route53DnssecCreatesGrants"]
    assert grants["Action"] == "kms:CreateGrant"
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}

    ksk = run.named("edge-us-east-1-dnssec-ksk")
    assert ksk.region == "us-east-1" and ksk.inputs["hostedZoneId"] == ZONE_ID
    assert ksk.inputs["status"] == "ACTIVE" and ksk.inputs["name"] == "shop3d_prod"
    assert key.urn in ksk.dependencies
    signing = run.named("edge-us-east-1-dnssec")
    assert signing.inputs == {"hostedZoneId": ZONE_ID, "signingStatus": "SIGNING"}
    assert ksk.urn in signing.dependencies
    # What the operator gives the registrar: algorithm 13 (ECDSAP256SHA256), digest type 2.
    assert " 13 2 " in run.outputs["dnssecDsRecord"]


def test_prod_logs_its_zones_queries_in_us_east_1(program: ProgramFactory) -> None:
    run = program("prod")
    log_group = run.named("edge-us-east-1-dns-query-logs")
    assert log_group.region == "us-east-1"
    assert log_group.inputs["name"] == f"/aws/route53/{DOMAIN}"
    assert log_group.inputs["retentionInDays"] == 365
    policy = run.named("edge-us-east-1-dns-query-logs-policy")
    (statement,) = json.loads(policy.inputs["policyDocument"])["Statement"]
    assert statement["Principal"] == {"Service": "route53.amazonaws.com"}
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"].endswith(f"/aws/route53/{DOMAIN}:*")
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}
    query_log = run.named("edge-us-east-1-dns-query-log")
    assert query_log.region == "us-east-1" and query_log.inputs["zoneId"] == ZONE_ID
    # Route 53 refuses the configuration until it may write to the group.
    assert policy.urn in query_log.dependencies


def test_dev_neither_signs_nor_logs_its_zone_unless_asked(program: ProgramFactory) -> None:
    run = program("dev", DEV_WITH_DOMAIN)
    assert [r.name for r in of_types(run, *ZONE_TYPES)] == []
    assert run.outputs["dnssecDsRecord"] is None
    asked = program("dev", DEV_WITH_DOMAIN | {"dnssec": True, "dnsQueryLogging": True})
    assert {r.type_ for r in of_types(asked, *ZONE_TYPES)} == set(ZONE_TYPES)


@pytest.mark.parametrize(
    ("key", "rule", "gone"),
    [
        ("dnssec", "route53-dnssec", (t.KEY_SIGNING_KEY, t.HOSTED_ZONE_DNSSEC)),
        ("dnsQueryLogging", "route53-query-logging", (t.QUERY_LOG,)),
    ],
)
def test_turning_a_part_off_in_prod_is_caught_by_the_policy_pack(
    program: ProgramFactory, key: str, rule: str, gone: tuple[str, ...]
) -> None:
    run = program("prod", {key: False})
    assert of_types(run, *gone) == []
    assert [f.rule for f in evaluate(to_stack(run)) if f.rule == rule] == [rule]
    assert [f.rule for f in evaluate(to_stack(program("prod"))) if f.rule == rule] == []
