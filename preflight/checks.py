"""What the account must have before a stack's first deploy, each check a pure function of the
stack config and what the account answers (the `Account` seam; preflight/account.py asks AWS).

A failed check is a blocker when the deploy would fail or hang because of it; otherwise it is a
warning (the deploy succeeds but the shop is limited). Each failure says how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from components.cell.orders import SENDER_LOCAL_PART
from components.images import repository_prefix
from components.security import BACKED_UP_TYPES
from stack_config.config import StackConfig

# Service Quotas code of Lambda's "Concurrent executions" (per account and region).
LAMBDA_CONCURRENCY_QUOTA: Final = "L-B99A9384"
# Lambda keeps this much of the quota unreserved (all of it when the quota is smaller: a new
# account's 10 cannot be reserved at all). Source: Lambda developer guide, "Configuring
# reserved concurrency".
UNRESERVED_MINIMUM: Final = 100
# The quota of an established account; below it a prod shop throttles at Black-Friday peaks.
PROD_CONCURRENCY: Final = 1000


@dataclass(frozen=True)
class ZoneFacts:
    name: str  # without the trailing dot
    name_servers: tuple[str, ...]


@dataclass(frozen=True)
class EmailIdentityFacts:
    """An SES v2 identity already in a region (GetEmailIdentity)."""

    verified_for_sending: bool


@dataclass(frozen=True)
class ReplicationRule:
    """One rule of a registry's replication configuration (DescribeRegistry)."""

    destinations: tuple[str, ...]  # regions (of this account)
    prefixes: tuple[str, ...]  # PREFIX_MATCH filters; () replicates every repository


class Account(Protocol):
    """What the checks ask the account; None where the answer could not be read."""

    def lambda_concurrency_quota(self, region: str) -> int | None: ...
    def hosted_zone(self, zone_id: str) -> ZoneFacts | None: ...
    def public_name_servers(self, domain: str) -> tuple[str, ...] | None: ...
    def guardduty_detectors(self, region: str) -> tuple[str, ...] | None: ...
    def backup_opt_in(self, region: str) -> dict[str, bool] | None: ...
    def shield_subscribed(self) -> bool | None: ...
    # False: the identity is not in the region (None: could not be read).
    def email_identity(self, region: str, identity: str) -> EmailIdentityFacts | bool | None: ...
    def ses_production_access(self, region: str) -> bool | None: ...
    def ecr_replication_rules(self, region: str) -> tuple[ReplicationRule, ...] | None: ...


@dataclass(frozen=True)
class Check:
    name: str
    scope: str  # a region, or "account"
    passed: bool
    detail: str
    fix: str = ""
    blocker: bool = True  # only meaningful when not passed

    @property
    def blocks(self) -> bool:
        return not self.passed and self.blocker


def _unreadable(name: str, scope: str, what: str, permission: str) -> Check:
    return Check(
        name,
        scope,
        False,
        f"could not read {what}",
        f"run preflight with credentials allowed {permission}, or check it by hand",
        blocker=False,
    )


def lambda_concurrency(account: Account, config: StackConfig, region: str) -> Check:
    name = "lambda-concurrency"
    quota = account.lambda_concurrency_quota(region)
    if quota is None:
        return _unreadable(
            name, region, "the Lambda concurrency quota", "servicequotas:GetServiceQuota"
        )
    reserved = config.lambda_reserved_concurrency
    reservable = max(0, quota - UNRESERVED_MINIMUM)
    detail = f"quota {quota}, the stack reserves {reserved} (at most {reservable} can be)"
    increase = (
        f"request an increase of Lambda 'Concurrent executions' ({LAMBDA_CONCURRENCY_QUOTA}) "
        f"in {region}"
    )
    if reserved > reservable:
        return Check(
            name,
            region,
            False,
            detail,
            f"set shop3d:lambdaReservedConcurrency to at most {reservable} (0 reserves none), "
            f"or {increase} to at least {reserved + UNRESERVED_MINIMUM}",
        )
    if config.is_prod and quota < PROD_CONCURRENCY:
        return Check(
            name,
            region,
            False,
            f"{detail}; the shop throttles above {quota} concurrent requests",
            f"{increase} to {PROD_CONCURRENCY}",
            blocker=False,
        )
    return Check(name, region, True, detail)


def _ns(names: Iterable[str]) -> set[str]:
    return {n.lower().rstrip(".") for n in names}


def hosted_zone(account: Account, config: StackConfig) -> list[Check]:
    """The zone exists, is the domain's, and the registrar delegates to its name servers
    (otherwise ACM's DNS validation waits until its timeout)."""
    if not config.domain or not config.hosted_zone_id:
        return []  # no domain: CloudFront's own hostname, nothing to delegate
    domain, zone_id = config.domain, config.hosted_zone_id
    zone = account.hosted_zone(zone_id)
    bootstrap = f"./shop3d bootstrap-zone {domain}, then set shop3d:hostedZoneId to its id"
    if zone is None:
        return [Check("hosted-zone", "account", False, f"no hosted zone {zone_id}", bootstrap)]
    if zone.name.lower().rstrip(".") != domain:
        return [
            Check(
                "hosted-zone",
                "account",
                False,
                f"zone {zone_id} is for {zone.name}, not {domain}",
                bootstrap,
            )
        ]
    checks = [Check("hosted-zone", "account", True, f"zone {zone_id} is {domain}")]
    public = account.public_name_servers(domain)
    servers = ", ".join(sorted(_ns(zone.name_servers)))
    delegate = f"set the name servers of {domain} at its registrar to {servers}"
    if public is None:
        checks.append(_unreadable("delegation", "account", f"{domain}'s NS records", "DNS"))
    elif _ns(public) != _ns(zone.name_servers):
        shown = ", ".join(sorted(_ns(public))) or "nothing"
        checks.append(
            Check(
                "delegation",
                "account",
                False,
                f"{domain} is delegated to {shown}, not to the zone's name servers",
                delegate,
            )
        )
    else:
        checks.append(Check("delegation", "account", True, f"{domain} delegates to the zone"))
    return checks


def guardduty(account: Account, config: StackConfig, region: str) -> Check:
    name = "guardduty-detector"
    detectors = account.guardduty_detectors(region)
    if detectors is None:
        return _unreadable(name, region, "GuardDuty detectors", "guardduty:ListDetectors")
    if config.guard_duty == "manage" and detectors:
        return Check(
            name,
            region,
            False,
            f"a detector already exists ({detectors[0]}): creating the stack's fails",
            "set shop3d:guardDuty to existing (the stack then routes that detector's findings)",
        )
    if config.guard_duty == "existing" and not detectors:
        return Check(
            name,
            region,
            False,
            "shop3d:guardDuty is existing but the region has no detector",
            "set shop3d:guardDuty to manage, or enable GuardDuty in the region first",
        )
    state = f"detector {detectors[0]} is used" if detectors else "the stack creates the detector"
    return Check(name, region, True, state)


def backup_settings(account: Account, config: StackConfig, region: str) -> Check:
    name = "backup-region-settings"
    if config.backup_region_settings == "manage":
        return Check(name, region, True, "the stack manages the region's opt-in settings")
    opt_in = account.backup_opt_in(region)
    if opt_in is None:
        return _unreadable(
            name, region, "AWS Backup region settings", "backup:DescribeRegionSettings"
        )
    missing = [t for t in BACKED_UP_TYPES if not opt_in.get(t)]
    if missing:
        types = " ".join(f"{t}=true" for t in missing)
        return Check(
            name,
            region,
            False,
            f"not opted in: {', '.join(missing)} (their backups would never run)",
            f"aws backup update-region-settings --region {region} "
            f"--resource-type-opt-in-preference {types}",
        )
    return Check(name, region, True, f"opted in: {', '.join(BACKED_UP_TYPES)}")


def shield(account: Account, config: StackConfig) -> list[Check]:
    if not config.shield_advanced:
        return []
    subscribed = account.shield_subscribed()
    if subscribed is None:
        return [_unreadable("shield", "account", "the Shield subscription", "shield:Describe*")]
    if not subscribed:
        return [
            Check(
                "shield",
                "account",
                False,
                "shop3d:shieldAdvanced is on but the account has no Shield Advanced subscription",
                "subscribe first (aws shield create-subscription: USD 3,000 a month, a year's "
                "commitment), or set shop3d:shieldAdvanced to false",
            )
        ]
    return [Check("shield", "account", True, "Shield Advanced subscription active")]


def sender(config: StackConfig) -> str | None:
    """The address order notifications (payment confirmations, expiries) are mailed from."""
    return f"{SENDER_LOCAL_PART}@{config.domain}" if config.domain else None


def email_identity(account: Account, config: StackConfig, region: str) -> list[Check]:
    """Each cell creates the SES domain identity its notifications send from (identities are
    regional). One already there fails that CreateEmailIdentity (AlreadyExistsException)."""
    if not config.domain:
        return []  # no domain: no identity, notifications are not wired
    name, domain = "ses-identity", config.domain
    found = account.email_identity(region, domain)
    if found is None:
        return [_unreadable(name, region, f"the SES identity {domain}", "ses:GetEmailIdentity")]
    if found is False:
        return [
            Check(
                name,
                region,
                True,
                f"the stack creates {domain} (sender {sender(config)}) and its DKIM records",
            )
        ]
    state = (
        "verified"
        if isinstance(found, EmailIdentityFacts) and found.verified_for_sending
        else "not verified"
    )
    return [
        Check(
            name,
            region,
            False,
            f"the SES identity {domain} already exists here ({state}): creating the stack's fails",
            "adopt it before the first deploy: pulumi import "
            f"aws:sesv2/emailIdentity:EmailIdentity cell-{region}-orders-email-identity {domain} "
            f"(or delete it: aws sesv2 delete-email-identity --region {region} "
            f"--email-identity {domain})",
        )
    ]


def ses_sandbox(account: Account, config: StackConfig, region: str) -> list[Check]:
    if not config.domain:
        return []
    name = "ses-production-access"
    access = account.ses_production_access(region)
    if access is None:
        return [_unreadable(name, region, "the SES account details", "ses:GetAccount")]
    if not access:
        return [
            Check(
                name,
                region,
                False,
                f"SES is in the sandbox here: {sender(config)} mails verified addresses only, "
                "so shoppers get no order e-mails",
                f"request production access: aws sesv2 put-account-details --region {region} "
                "--production-access-enabled --mail-type TRANSACTIONAL --website-url "
                f"https://{config.domain} --use-case-description '<order confirmations>'",
                blocker=False,
            )
        ]
    return [Check(name, region, True, "SES production access (out of the sandbox)")]


def ecr_replication(account: Account, config: StackConfig, stack: str) -> list[Check]:
    """The primary registry's replication configuration: one per account and region, so a
    managed one replaces whatever rules are there, and an existing one must copy this stack's
    repositories to every other region of the stack (components/images)."""
    if not config.secondaries:
        return []
    name, region = "ecr-replication", config.primary.name
    rules = account.ecr_replication_rules(region)
    if rules is None:
        return [_unreadable(name, region, "the ECR registry settings", "ecr:DescribeRegistry")]
    prefix = repository_prefix(stack)
    wanted = {r.name for r in config.secondaries}
    covered = {
        destination
        for rule in rules
        if not rule.prefixes or any(prefix.startswith(p) for p in rule.prefixes)
        for destination in rule.destinations
    }
    if config.ecr_replication == "manage":
        if rules:
            return [
                Check(
                    name,
                    region,
                    False,
                    f"the registry already replicates ({len(rules)} rule(s)): the stack's "
                    "configuration would replace them",
                    "set shop3d:ecrReplication to existing and add a rule copying "
                    f"{prefix}* to {', '.join(sorted(wanted))} to the owner's configuration",
                )
            ]
        return [Check(name, region, True, "the stack writes the registry's replication rule")]
    missing = sorted(wanted - covered)
    if missing:
        return [
            Check(
                name,
                region,
                False,
                f"the registry's replication does not copy {prefix}* to {', '.join(missing)}: "
                "those cells would wait for images that never arrive",
                f"add a rule to the registry's replication in {region} copying repositories "
                f"prefixed {prefix} to {', '.join(missing)}, or set shop3d:ecrReplication to "
                "manage",
            )
        ]
    return [Check(name, region, True, f"the registry copies {prefix}* to every other region")]


def run_checks(account: Account, config: StackConfig, stack: str | None = None) -> list[Check]:
    """Every check; `stack` names the repositories (default: the environment's name)."""
    regions: Sequence[str] = config.region_names
    checks: list[Check] = [lambda_concurrency(account, config, r) for r in regions]
    checks += hosted_zone(account, config)
    checks += [guardduty(account, config, r) for r in regions]
    checks += [backup_settings(account, config, r) for r in regions]
    checks += shield(account, config)
    for region in regions:
        checks += email_identity(account, config, region)
        checks += ses_sandbox(account, config, region)
    checks += ecr_replication(account, config, stack or config.environment)
    return checks


def report(checks: Sequence[Check]) -> str:
    lines = []
    for check in checks:
        status = "PASS" if check.passed else ("BLOCK" if check.blocker else "WARN")
        lines.append(f"{status:5}  {check.name:24} {check.scope:15} {check.detail}")
        if not check.passed:
            lines.append(f"{'':7}fix: {check.fix}")
    blockers = sum(c.blocks for c in checks)
    lines.append(
        f"{blockers} blocker(s): fix them before the first deploy" if blockers else "no blockers"
    )
    return "\n".join(lines)


__all__ = [
    "Account",
    "Check",
    "EmailIdentityFacts",
    "ReplicationRule",
    "ZoneFacts",
    "report",
    "run_checks",
]
