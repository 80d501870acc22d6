"""The Account of preflight/checks.py, answered by AWS through boto3 (and public DNS for the
delegation). Endpoints come from the standard AWS_ENDPOINT_URL* variables, so the same code
runs against moto's server in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import boto3
import dns.exception
import dns.resolver
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)

from preflight.checks import (
    LAMBDA_CONCURRENCY_QUOTA,
    Check,
    EmailIdentityFacts,
    ReplicationRule,
    ZoneFacts,
)

T = TypeVar("T")

# How to give boto3 credentials (its standard chain: the environment, a profile, SSO, a role).
HOW_TO_PROVIDE_CREDENTIALS = (
    "set AWS_PROFILE to a profile of ~/.aws/config (`aws configure`, or `aws sso login"
    " --profile <name>`), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and"
    " AWS_SESSION_TOKEN for temporary keys)"
)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def credentials_problem(error: Exception) -> tuple[str, str]:
    """What is wrong with the credentials an AWS call just failed on, and how to fix it."""
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return "no AWS credentials found", HOW_TO_PROVIDE_CREDENTIALS
    if isinstance(error, ClientError):
        message = error.response.get("Error", {}).get("Message", "")
        return (
            f"AWS refused the credentials ({_code(error)}: {message})",
            "refresh them (`aws sso login` for an expired SSO session), or "
            + HOW_TO_PROVIDE_CREDENTIALS,
        )
    return f"could not use the AWS credentials ({error})", HOW_TO_PROVIDE_CREDENTIALS


# The errors AWS answers a request whose credentials it does not take (IAM and STS error
# codes; any service may answer them).
CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "AuthFailure",
    }
)


def aws_failure(error: BotoCoreError | ClientError) -> str:
    """One line for a command that stops on an AWS error: the credentials' problem and its fix
    where it is one, else what AWS said."""
    if isinstance(error, NoCredentialsError | PartialCredentialsError) or (
        isinstance(error, ClientError) and _code(error) in CREDENTIAL_CODES
    ):
        detail, fix = credentials_problem(error)
        return f"{detail}: {fix}"
    return f"an AWS call failed: {error}"


def _or_none(call: Callable[[], T]) -> T | None:
    """None when AWS refuses or does not answer (permissions, an unsupported region)."""
    try:
        return call()
    except (ClientError, BotoCoreError):
        return None


class AwsAccount:
    def __init__(self, session: Any | None = None) -> None:
        self._session: Any = session or boto3.session.Session()

    def _client(self, service: str, region: str | None = None) -> Any:
        return self._session.client(service, region_name=region)

    def credentials(self) -> Check:
        """Who STS says the credentials are: a blocker when there are none or STS refuses them
        (every other check would only be unreadable, which is not a pass)."""
        name = "aws-credentials"
        try:
            region = self._session.region_name or "us-east-1"  # STS answers in every region
            identity = self._client("sts", region).get_caller_identity()
        except (ClientError, BotoCoreError) as error:
            detail, fix = credentials_problem(error)
            return Check(name, "account", False, f"{detail} (STS get-caller-identity)", fix)
        detail = f"account {identity['Account']} as {identity['Arn']}"
        return Check(name, "account", True, detail)

    def lambda_concurrency_quota(self, region: str) -> int | None:
        def from_quotas() -> int:
            quota = self._client("service-quotas", region).get_service_quota(
                ServiceCode="lambda", QuotaCode=LAMBDA_CONCURRENCY_QUOTA
            )
            return int(quota["Quota"]["Value"])

        def from_lambda() -> int:
            settings = self._client("lambda", region).get_account_settings()
            return int(settings["AccountLimit"]["ConcurrentExecutions"])

        # Lambda's own account settings carry the same limit where Service Quotas has none.
        return _or_none(from_quotas) or _or_none(from_lambda)

    def hosted_zone(self, zone_id: str) -> ZoneFacts | None:
        try:
            zone = self._client("route53").get_hosted_zone(Id=zone_id)
        except ClientError as error:
            if _code(error) in ("NoSuchHostedZone", "InvalidInput"):
                return None
            raise
        return ZoneFacts(
            name=zone["HostedZone"]["Name"].rstrip("."),
            name_servers=tuple(zone.get("DelegationSet", {}).get("NameServers", ())),
        )

    def public_name_servers(self, domain: str) -> tuple[str, ...] | None:
        try:
            answer = dns.resolver.resolve(domain, "NS")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return ()
        except dns.exception.DNSException:
            return None
        return tuple(str(record.target) for record in answer)

    def guardduty_detectors(self, region: str) -> tuple[str, ...] | None:
        listed = _or_none(lambda: self._client("guardduty", region).list_detectors())
        return None if listed is None else tuple(listed.get("DetectorIds", ()))

    def backup_opt_in(self, region: str) -> dict[str, bool] | None:
        settings = _or_none(lambda: self._client("backup", region).describe_region_settings())
        return None if settings is None else dict(settings["ResourceTypeOptInPreference"])

    def shield_subscribed(self) -> bool | None:
        # Shield is a global service answered in us-east-1.
        try:
            self._client("shield", "us-east-1").describe_subscription()
        except ClientError as error:
            return False if _code(error) == "ResourceNotFoundException" else None
        except BotoCoreError:
            return None
        return True

    def email_identity(self, region: str, identity: str) -> EmailIdentityFacts | bool | None:
        try:
            found = self._client("sesv2", region).get_email_identity(EmailIdentity=identity)
        except ClientError as error:
            return False if _code(error) == "NotFoundException" else None
        except BotoCoreError:
            return None
        return EmailIdentityFacts(verified_for_sending=bool(found.get("VerifiedForSendingStatus")))

    def ses_production_access(self, region: str) -> bool | None:
        details = _or_none(lambda: self._client("sesv2", region).get_account())
        return None if details is None else bool(details.get("ProductionAccessEnabled"))

    def ecr_replication_rules(self, region: str) -> tuple[ReplicationRule, ...] | None:
        registry = _or_none(lambda: self._client("ecr", region).describe_registry())
        if registry is None:
            return None
        rules = registry.get("replicationConfiguration", {}).get("rules", [])
        return tuple(
            ReplicationRule(
                destinations=tuple(d["region"] for d in rule.get("destinations", [])),
                prefixes=tuple(
                    f["filter"]
                    for f in rule.get("repositoryFilters", [])
                    if f.get("filterType") == "PREFIX_MATCH"
                ),
            )
            for rule in rules
        )
