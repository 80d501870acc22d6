"""DNSSEC signing and DNS query logging of the shop's hosted zone (the zone itself comes from
`./shop3d bootstrap-zone`; these act on it through shop3d:hostedZoneId). Both in us-east-1:
`parent` carries the edge provider.

DNSSEC (Route 53 Developer Guide, "Configuring DNSSEC signing" and "Working with customer
managed keys for DNSSEC"): an asymmetric KMS key in us-east-1, key spec ECC_NIST_P256, usage
SIGN_VERIFY, whose policy lets dnssec-route53.amazonaws.com DescribeKey, GetPublicKey and Sign
for this account's hosted zones and CreateGrant for AWS resources; a key-signing key (KSK) on
it; then signing on the zone. The chain of trust is complete only once the registrar publishes
the DS record (the stack output `dnssecDsRecord`): until then resolvers treat the zone as
unsigned, which is safe. Disabling later is the reverse order: remove the DS record at the
registrar, wait out its TTL, then turn signing off.

Query logging (Route 53 API reference, CreateQueryLoggingConfig): a log group in us-east-1
named /aws/route53/<zone name>, and a CloudWatch Logs resource policy letting
route53.amazonaws.com create streams and put events in it for this account's zones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from components import iam
from components.edge.dns import Zone
from components.naming import physical, regional
from components.options import child, stateful

DNSSEC_SERVICE: Final = "dnssec-route53.amazonaws.com"
QUERY_LOG_SERVICE: Final = "route53.amazonaws.com"
KEY_SPEC: Final = "ECC_NIST_P256"
KEY_USAGE: Final = "SIGN_VERIFY"
DELETION_WINDOW_DAYS: Final = 30
QUERY_LOG_PREFIX: Final = "/aws/route53/"
ZONES_ARN: Final = "arn:aws:route53:::hostedzone/*"
# Route 53 reads DNSSEC keys and writes query logs in us-east-1 only (the edge provider).
EDGE_REGION: Final = "us-east-1"


def dnssec_key_policy(account_id: str) -> dict[str, object]:
    """The key policy Route 53's DNSSEC docs prescribe, with the account's own admin."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Route53DnssecSigns",
                "Effect": "Allow",
                "Principal": {"Service": DNSSEC_SERVICE},
                "Action": ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": ZONES_ARN},
                },
            },
            {
                "Sid": "Route53DnssecCreatesGrants",
                "Effect": "Allow",
                "Principal": {"Service": DNSSEC_SERVICE},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ],
    }


def ksk_name(stack: str) -> str:
    """A KSK's name: letters, digits and underscores, 3 to 128 (CreateKeySigningKey)."""
    return "".join(c if c.isalnum() else "_" for c in f"shop3d_{stack}")[:128]


@dataclass(frozen=True)
class ZoneSigning:
    key: aws.kms.Key
    key_signing_key: aws.route53.KeySigningKey
    dnssec: aws.route53.HostedZoneDnsSec

    @property
    def ds_record(self) -> pulumi.Output[str]:
        """What the registrar publishes for the domain (the KSK's DS record)."""
        return self.key_signing_key.ds_record


def zone_signing(
    parent: pulumi.Resource, zone: Zone, account_id: pulumi.Output[str], protect: bool
) -> ZoneSigning:
    policy = account_id.apply(lambda account: json.dumps(dnssec_key_policy(account)))
    key = aws.kms.Key(
        regional("edge", EDGE_REGION, "dnssec-key"),
        description=f"shop3d DNSSEC key-signing key of {zone.domain}",
        customer_master_key_spec=KEY_SPEC,
        key_usage=KEY_USAGE,
        deletion_window_in_days=DELETION_WINDOW_DAYS,
        policy=policy,
        opts=stateful(parent, protect),
    )
    ksk = aws.route53.KeySigningKey(
        regional("edge", EDGE_REGION, "dnssec-ksk"),
        hosted_zone_id=zone.zone_id,
        key_management_service_arn=key.arn,
        name=ksk_name(pulumi.get_stack()),
        status="ACTIVE",
        opts=child(parent),
    )
    dnssec = aws.route53.HostedZoneDnsSec(
        regional("edge", EDGE_REGION, "dnssec"),
        hosted_zone_id=ksk.hosted_zone_id,
        signing_status="SIGNING",
        opts=child(parent, depends_on=[ksk]),
    )
    return ZoneSigning(key=key, key_signing_key=ksk, dnssec=dnssec)


@dataclass(frozen=True)
class ZoneQueryLogging:
    log_group: aws.cloudwatch.LogGroup
    query_log: aws.route53.QueryLog


def zone_query_logging(
    parent: pulumi.Resource, zone: Zone, account_id: pulumi.Output[str], retention_days: int
) -> ZoneQueryLogging:
    log_group = aws.cloudwatch.LogGroup(
        regional("edge", EDGE_REGION, "dns-query-logs"),
        name=f"{QUERY_LOG_PREFIX}{zone.domain}",
        retention_in_days=retention_days,
        opts=child(parent),
    )
    policy = aws.cloudwatch.LogResourcePolicy(
        regional("edge", EDGE_REGION, "dns-query-logs-policy"),
        policy_name=physical("route53-query-logs"),
        policy_document=iam.document(
            [
                iam.service_may(
                    QUERY_LOG_SERVICE,
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    pulumi.Output.concat(log_group.arn, ":*"),
                    {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {"aws:SourceArn": ZONES_ARN},
                    },
                    sid="Route53QueryLogs",
                )
            ]
        ),
        opts=child(parent),
    )
    query_log = aws.route53.QueryLog(
        regional("edge", EDGE_REGION, "dns-query-log"),
        zone_id=zone.zone_id,
        cloudwatch_log_group_arn=log_group.arn,
        # Route 53 checks it may write before it accepts the configuration.
        opts=child(parent, depends_on=[policy]),
    )
    return ZoneQueryLogging(log_group=log_group, query_log=query_log)
