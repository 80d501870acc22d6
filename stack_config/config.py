"""Typed stack config: read once, validated before any resource is registered.

`parse_config` turns the raw `shop3d:` values (strings from the Pulumi engine, or native values
from tests and the Automation API) into a frozen `StackConfig`. Every error names the key, the
bad value and what is allowed.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final, Literal, TypeVar, cast, get_args

from stack_config.catalog import REGIONS, region_info
from stack_config.keys import KEY_SPECS, is_preset_sentinel, qualified
from stack_config.presets import ENVIRONMENTS, PRESETS, Environment

NatGateways = Literal["single", "per-az"]
Architecture = Literal["arm64", "x86_64"]
RenderCompute = Literal["gpu", "cpu"]
PriceClass = Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]
ThreatProtection = Literal["AUDIT", "ENFORCED"]
# An account singleton: the stack creates it, or uses the one already there.
Singleton = Literal["manage", "existing"]
SINGLETON_CHOICES: Final[tuple[Singleton, ...]] = ("manage", "existing")
SocialProvider = Literal["Google", "Facebook", "SignInWithApple"]
SOCIAL_PROVIDERS: Final[tuple[SocialProvider, ...]] = get_args(SocialProvider)
# Provider -> the fields its entry needs besides clientId (Apple signs with a key of a team).
SOCIAL_PROVIDER_FIELDS: Final[dict[SocialProvider, tuple[str, ...]]] = {
    "Google": (),
    "Facebook": (),
    "SignInWithApple": ("teamId", "keyId"),
}

LOG_RETENTION_DAYS: Final = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# Overrides a region entry may carry, with their parsers.
REGION_OVERRIDES: Final = ("vpcCidr", "onDemandBaseCapacity", "webMinSize", "webMaxSize")
MAX_REGIONS: Final = 6
# Unpaid orders hold stock at most a day (handlers.cart.settings.MAX_RESERVATION_MINUTES: a test
# keeps the two equal; this package imports nothing of ours).
MAX_RESERVATION_MINUTES: Final = 1440
# awsx splits the VPC into AZ blocks of public, private and isolated subnets; a /16 to /20
# leaves each of them room for ENIs of Lambda, ALB, Redis and Aurora.
VPC_PREFIX_RANGE: Final = (16, 20)
# Graviton families carry a "g" after the generation digit: t4g, c7g, m7gd, c7gn, r8g.
_GRAVITON: Final = re.compile(r"^[a-z]+\d+g[a-z]*\.")
# Where managed login sends the authorization code (appended to https://<domain>): the cart
# API's callback route (handlers/cart/api/account_routes.py), which finishes the code + PKCE
# exchange on the server.
CALLBACK_PATH: Final = "/api/account/callback"


# A run that created the zone would wait on DNS validation of its certificates until ACM's
# timeout: the registrar can delegate only to name servers the run has not printed yet.
ZONE_FIRST: Final = (
    "shop3d:hostedZoneId: required with shop3d:domain ({domain}). Create the zone first: "
    "`./shop3d bootstrap-zone {domain}` creates it (or finds it) and prints its id and name "
    "servers; delegate {domain} to those name servers at the registrar; then "
    "`pulumi config set shop3d:hostedZoneId <id>` and check with `./shop3d preflight <stack>`."
)


class ConfigError(ValueError):
    """A stack config value is missing, of the wrong type, or not allowed."""


@dataclass(frozen=True)
class RegionSettings:
    name: str
    vpc_cidr: str
    on_demand_base_capacity: int
    web_min_size: int
    web_max_size: int


@dataclass(frozen=True)
class PolicyExemption:
    rule: str
    reason: str


@dataclass(frozen=True)
class SocialIdentityProvider:
    """A social sign-in provider: client id from config, its secret from Secrets Manager."""

    provider: SocialProvider
    client_id: str
    # Secrets Manager name or ARN; None: the default name, which needs the stack name.
    secret: str | None
    team_id: str | None = None
    key_id: str | None = None


@dataclass(frozen=True)
class StackConfig:
    environment: Environment
    regions: tuple[RegionSettings, ...]
    domain: str | None
    hosted_zone_id: str | None
    availability_zones: int
    nat_gateways: NatGateways
    interface_endpoints: bool
    deletion_protection: bool
    backup_retention_days: int
    aurora_min_capacity: float
    aurora_max_capacity: float
    aurora_engine_version: str
    aurora_instances: int
    aurora_secondary_instances: int
    log_retention_days: int
    web_tier: bool
    health_check_interval: Literal[10, 30]
    instance_types: tuple[str, ...]
    lambda_architecture: Architecture
    # 0: nothing reserved (see shop3d:lambdaReservedConcurrency).
    lambda_reserved_concurrency: int
    asset_batch_threshold_mb: int
    render_compute: RenderCompute
    catalog_cache: bool
    redis_node_type: str
    price_class: PriceClass
    waf_rate_limit: int
    shield_advanced: bool
    replication_time_control: bool
    alarm_email: str | None
    policy_exemptions: tuple[PolicyExemption, ...]
    threat_protection: ThreatProtection = "ENFORCED"
    auth_callback_urls: tuple[str, ...] = ()
    auth_domain_prefix: str | None = None
    auth_token_minutes: int = 60
    # Minutes an unpaid order holds its stock (1..1440, handlers.cart.settings' bounds).
    reservation_minutes: int = 30
    auth_refresh_token_days: int = 30
    identity_providers: tuple[SocialIdentityProvider, ...] = ()
    # The region of the Aurora writer now (orders.<domain> prefers it); None: the primary.
    writer_region_override: str | None = None
    # Built storefront directory (relative to the project), or "skip".
    storefront_dist: str = "storefront/dist"
    asset_max_concurrency: int = 5
    guard_duty: Singleton = "manage"
    backup_region_settings: Singleton = "manage"
    ecr_replication: Singleton = "manage"
    # The hosted zone's DNSSEC signing and query logging (with a domain only).
    dnssec: bool = False
    dns_query_logging: bool = False

    @property
    def primary(self) -> RegionSettings:
        return self.regions[0]

    @property
    def secondaries(self) -> tuple[RegionSettings, ...]:
        return self.regions[1:]

    @property
    def region_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.regions)

    @property
    def writer_region(self) -> str:
        return self.writer_region_override or self.primary.name

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def web_architecture(self) -> Architecture:
        """The one CPU architecture of the web tier's instance types (checked when parsed)."""
        return instance_architecture(self.instance_types[0])

    @property
    def callback_urls(self) -> tuple[str, ...]:
        """The storefront app client's callback URLs: https://<domain>/api/account/callback first,
        then the configured ones (at least one in all, checked when parsed)."""
        urls = [f"https://{self.domain}{CALLBACK_PATH}"] if self.domain else []
        return tuple(urls + [u for u in self.auth_callback_urls if u not in urls])


def instance_architecture(instance_type: str) -> Architecture:
    return "arm64" if _GRAVITON.match(instance_type) else "x86_64"


T = TypeVar("T")


def _fail(key: str, value: object, allowed: str) -> ConfigError:
    return ConfigError(f"{qualified(key)}: {value!r} is not allowed; expected {allowed}")


def _as_bool(key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _fail(key, value, "true or false")


def _as_int(key: str, value: object, low: int, high: int) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise _fail(key, value, f"an integer from {low} to {high}")
    return number


def _as_half_steps(key: str, value: object, low: float, high: float) -> float:
    """A number in steps of 0.5 (Aurora capacity units)."""
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidOperation
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _fail(key, value, f"a number from {low} to {high} in steps of 0.5") from None
    if not number.is_finite() or not low <= number <= high or (number * 2) % 1 != 0:
        raise _fail(key, value, f"a number from {low} to {high} in steps of 0.5")
    return float(number)


def _as_str(key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(key, value, "a non-empty string")
    return value.strip()


def _as_choice(key: str, value: object, choices: Sequence[T]) -> T:
    for choice in choices:
        if value == choice:
            return choice
    raise _fail(key, value, "one of " + ", ".join(repr(c) for c in choices))


def _as_list(key: str, value: object) -> list[object]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise _fail(key, value, "a list (YAML list, or a JSON array)") from None
    if not isinstance(value, list | tuple):
        raise _fail(key, value, "a list (YAML list, or a JSON array)")
    return list(value)


def _parse_region(index: int, entry: object, defaults: Mapping[str, object]) -> RegionSettings:
    key = f"regions[{index}]"
    fields: dict[str, object]
    if isinstance(entry, str):
        name, *pairs = entry.split()
        fields = {}
        for pair in pairs:
            field, sep, raw = pair.partition("=")
            if not sep:
                raise _fail(
                    key,
                    entry,
                    "'<region> name=value ...' with name in " + ", ".join(REGION_OVERRIDES),
                )
            fields[field] = raw
    elif isinstance(entry, Mapping) and "name" in entry:
        name = entry["name"]
        fields = {k: v for k, v in entry.items() if k != "name"}
    else:
        raise _fail(key, entry, "a region name such as 'eu-west-1', optionally with overrides")
    if name not in REGIONS:
        raise _fail(key, name, "a region from the catalog: " + ", ".join(sorted(REGIONS)))
    unknown = sorted(set(fields) - set(REGION_OVERRIDES))
    if unknown:
        raise _fail(
            f"{key}.{unknown[0]}",
            fields[unknown[0]],
            "one of the overrides " + ", ".join(REGION_OVERRIDES),
        )
    cidr_raw = fields.get("vpcCidr", region_info(str(name)).default_cidr)
    try:
        network = ipaddress.ip_network(str(cidr_raw), strict=True)
    except ValueError:
        raise _fail(f"{key}.vpcCidr", cidr_raw, "an IPv4 network such as 10.40.0.0/16") from None
    low, high = VPC_PREFIX_RANGE
    if network.version != 4 or not network.is_private or not low <= network.prefixlen <= high:
        raise _fail(
            f"{key}.vpcCidr",
            cidr_raw,
            f"a private IPv4 network with a prefix from /{low} to /{high}",
        )

    def count(field: str) -> int:
        return _as_int(f"{key}.{field}", fields.get(field, defaults[field]), 0, 1000)

    region = RegionSettings(
        name=str(name),
        vpc_cidr=str(network),
        on_demand_base_capacity=count("onDemandBaseCapacity"),
        web_min_size=count("webMinSize"),
        web_max_size=count("webMaxSize"),
    )
    if region.web_min_size > region.web_max_size:
        raise _fail(
            f"{key}.webMinSize", region.web_min_size, f"at most webMaxSize ({region.web_max_size})"
        )
    return region


def _parse_regions(value: object, defaults: Mapping[str, object]) -> tuple[RegionSettings, ...]:
    entries = _as_list("regions", value)
    if not entries:
        raise _fail("regions", entries, "at least one region; the first is the primary")
    if len(entries) > MAX_REGIONS:
        raise _fail("regions", entries, f"at most {MAX_REGIONS} regions")
    regions = tuple(_parse_region(i, e, defaults) for i, e in enumerate(entries))
    seen: dict[str, int] = {}
    for index, region in enumerate(regions):
        if region.name in seen:
            raise _fail(
                f"regions[{index}]",
                region.name,
                f"each region once; it is already regions[{seen[region.name]}]",
            )
        seen[region.name] = index
    networks = [ipaddress.ip_network(r.vpc_cidr) for r in regions]
    for i, first in enumerate(networks):
        for j in range(i + 1, len(networks)):
            if first.overlaps(networks[j]):
                raise _fail(
                    f"regions[{j}].vpcCidr",
                    str(networks[j]),
                    f"a VPC CIDR that does not overlap regions[{i}] ({regions[i].name}, {first})",
                )
    return regions


def _parse_exemptions(value: object) -> tuple[PolicyExemption, ...]:
    exemptions = []
    for index, entry in enumerate(_as_list("policyExemptions", value)):
        rule, sep, reason = str(entry).partition(":") if isinstance(entry, str) else ("", "", "")
        if not sep or not rule.strip() or not reason.strip():
            raise _fail(
                f"policyExemptions[{index}]",
                entry,
                "'<rule name>: <reason>' with a non-empty reason",
            )
        exemptions.append(PolicyExemption(rule.strip(), reason.strip()))
    return tuple(exemptions)


def _parse_identity_providers(value: object) -> tuple[SocialIdentityProvider, ...]:
    result: list[SocialIdentityProvider] = []
    for index, entry in enumerate(_as_list("identityProviders", value)):
        key = f"identityProviders[{index}]"
        name, *pairs = str(entry).split() if isinstance(entry, str) and entry.strip() else ("",)
        provider = _as_choice(key, name, SOCIAL_PROVIDERS)
        needed = SOCIAL_PROVIDER_FIELDS[provider]
        allowed = ("clientId", "secret", *needed)
        fields = dict(pair.partition("=")[::2] for pair in pairs)
        bad = [
            p
            for p in pairs
            if "=" not in p or p.partition("=")[0] not in allowed or not p.partition("=")[2]
        ]
        missing = [f for f in ("clientId", *needed) if f not in fields]
        if bad or missing:
            raise _fail(
                key,
                entry,
                f"'{provider} " + " ".join(f"{f}=..." for f in allowed) + "' (secret optional)",
            )
        if provider in (p.provider for p in result):
            raise _fail(key, entry, f"each provider once; {provider} is already listed")
        result.append(
            SocialIdentityProvider(
                provider=provider,
                client_id=fields["clientId"],
                secret=fields.get("secret"),
                team_id=fields.get("teamId"),
                key_id=fields.get("keyId"),
            )
        )
    return tuple(result)


def _callback_url(key: str, value: object) -> str:
    """Cognito accepts https callback URLs, and plain http only for localhost."""
    url = _as_str(key, value)
    if not (url.startswith("https://") or url.startswith("http://localhost")) or " " in url:
        raise _fail(
            key, value, "an https:// URL, or http://localhost[:port]/... for a local storefront"
        )
    return url


def _domain(key: str, value: object) -> str:
    domain = _as_str(key, value).lower().rstrip(".")
    labels = domain.split(".")
    ok = len(labels) >= 2 and all(
        0 < len(label) <= 63 and label.replace("-", "").isalnum() and not label.startswith("-")
        for label in labels
    )
    if not ok:
        raise _fail(key, value, "a domain name such as shop.example.com, without scheme or path")
    return domain


def _domain_prefix(key: str, value: object) -> str:
    prefix = _as_str(key, value)
    # Cognito's rule for prefix domains; it also refuses the words aws, amazon and cognito.
    ok = (
        prefix.replace("-", "").isalnum()
        and prefix == prefix.lower()
        and len(prefix) <= 63
        and not prefix.startswith("-")
        and not prefix.endswith("-")
        and not any(word in prefix for word in ("aws", "amazon", "cognito"))
    )
    if not ok:
        raise _fail(
            key,
            value,
            "lower-case letters, digits and inner hyphens, at most 63 "
            "characters, without the words aws, amazon or cognito",
        )
    return prefix


def _health_check_interval(value: object) -> Literal[10, 30]:
    """Route 53 offers exactly these two request intervals."""
    number = _as_int("healthCheckInterval", value, 10, 30)
    if number == 10:
        return 10
    if number == 30:
        return 30
    raise _fail("healthCheckInterval", value, "10 or 30 (the intervals Route 53 offers)")


def _writer_region(value: object, regions: Sequence[RegionSettings]) -> str | None:
    if value in (None, ""):
        return None
    names = [r.name for r in regions]
    return _as_choice("writerRegion", value, names)


def parse_config(raw: Mapping[str, object]) -> StackConfig:
    """Validate the `shop3d:` values (keys without the namespace) into a StackConfig."""
    unknown = sorted(set(raw) - set(KEY_SPECS))
    if unknown:
        raise ConfigError(
            f"{qualified(unknown[0])}: unknown key; the keys are " + ", ".join(sorted(KEY_SPECS))
        )
    environment = _as_choice("environment", raw.get("environment", "dev"), ENVIRONMENTS)
    preset = PRESETS[environment]

    def value(key: str) -> object:
        spec = KEY_SPECS[key]
        given = raw.get(key)
        if spec.from_preset and (given is None or is_preset_sentinel(given)):
            return preset[key]
        return spec.default if given is None else given

    def optional(key: str, parse: Callable[[str, object], str]) -> str | None:
        v = value(key)
        return None if v in (None, "") else parse(key, v)

    region_defaults = {k: value(k) for k in ("onDemandBaseCapacity", "webMinSize", "webMaxSize")}
    regions = _parse_regions(value("regions"), region_defaults)
    azs = _as_int("availabilityZones", value("availabilityZones"), 2, 3)
    for index, region in enumerate(regions):
        if region_info(region.name).az_count < azs:
            raise _fail(
                f"regions[{index}]",
                region.name,
                f"a region with at least {azs} availability zones "
                f"(availabilityZones={azs}); {region.name} has "
                f"{region_info(region.name).az_count}",
            )
    aurora_min = _as_half_steps("auroraMinCapacity", value("auroraMinCapacity"), 0.5, 256)
    aurora_max = _as_half_steps("auroraMaxCapacity", value("auroraMaxCapacity"), 1, 256)
    if aurora_min > aurora_max:
        raise _fail("auroraMinCapacity", aurora_min, f"at most auroraMaxCapacity ({aurora_max})")
    instance_types = tuple(
        _as_str(f"instanceTypes[{i}]", t)
        for i, t in enumerate(_as_list("instanceTypes", value("instanceTypes")))
    )
    if not instance_types:
        raise _fail("instanceTypes", [], "at least one instance type")
    architectures = {t: instance_architecture(t) for t in instance_types}
    if len(set(architectures.values())) > 1:
        raise _fail(
            "instanceTypes",
            list(instance_types),
            "types of one CPU architecture (one AMI serves them all), only Graviton (arm64) or "
            "only x86_64; these mix architectures: "
            + ", ".join(f"{t} ({a})" for t, a in architectures.items()),
        )
    hosted_zone_id = optional("hostedZoneId", _as_str)
    domain = optional("domain", _domain)
    if hosted_zone_id and not domain:
        raise _fail("hostedZoneId", hosted_zone_id, "to be set only together with shop3d:domain")
    if domain and not hosted_zone_id:
        raise ConfigError(ZONE_FIRST.format(domain=domain))
    log_retention = _as_int("logRetentionDays", value("logRetentionDays"), 1, 3653)
    if log_retention not in LOG_RETENTION_DAYS:
        raise _fail(
            "logRetentionDays",
            log_retention,
            "one of " + ", ".join(str(d) for d in LOG_RETENTION_DAYS),
        )

    config = StackConfig(
        environment=environment,
        regions=regions,
        domain=domain,
        hosted_zone_id=hosted_zone_id,
        availability_zones=azs,
        nat_gateways=_as_choice("natGateways", value("natGateways"), get_args(NatGateways)),
        interface_endpoints=_as_bool("interfaceEndpoints", value("interfaceEndpoints")),
        deletion_protection=_as_bool("deletionProtection", value("deletionProtection")),
        backup_retention_days=_as_int("backupRetentionDays", value("backupRetentionDays"), 1, 35),
        aurora_min_capacity=aurora_min,
        aurora_max_capacity=aurora_max,
        aurora_engine_version=_as_str("auroraEngineVersion", value("auroraEngineVersion")),
        aurora_instances=_as_int("auroraInstances", value("auroraInstances"), 1, 15),
        aurora_secondary_instances=_as_int(
            "auroraSecondaryInstances", value("auroraSecondaryInstances"), 1, 15
        ),
        log_retention_days=log_retention,
        web_tier=_as_bool("webTier", value("webTier")),
        health_check_interval=_health_check_interval(value("healthCheckInterval")),
        writer_region_override=_writer_region(value("writerRegion"), regions),
        instance_types=instance_types,
        lambda_architecture=_as_choice(
            "lambdaArchitecture", value("lambdaArchitecture"), get_args(Architecture)
        ),
        lambda_reserved_concurrency=_as_int(
            "lambdaReservedConcurrency", value("lambdaReservedConcurrency"), 0, 10000
        ),
        guard_duty=_as_choice("guardDuty", value("guardDuty"), SINGLETON_CHOICES),
        backup_region_settings=_as_choice(
            "backupRegionSettings", value("backupRegionSettings"), SINGLETON_CHOICES
        ),
        dnssec=_as_bool("dnssec", value("dnssec")),
        dns_query_logging=_as_bool("dnsQueryLogging", value("dnsQueryLogging")),
        ecr_replication=_as_choice("ecrReplication", value("ecrReplication"), SINGLETON_CHOICES),
        asset_max_concurrency=_as_int("assetMaxConcurrency", value("assetMaxConcurrency"), 2, 1000),
        asset_batch_threshold_mb=_as_int(
            "assetBatchThresholdMb", value("assetBatchThresholdMb"), 1, 1024
        ),
        render_compute=_as_choice("renderCompute", value("renderCompute"), get_args(RenderCompute)),
        catalog_cache=_as_bool("catalogCache", value("catalogCache")),
        redis_node_type=_as_str("redisNodeType", value("redisNodeType")),
        price_class=cast(
            PriceClass,
            _as_choice(
                "priceClass",
                value("priceClass"),
                get_args(PriceClass),
            ),
        ),
        waf_rate_limit=_as_int("wafRateLimit", value("wafRateLimit"), 100, 2_000_000_000),
        shield_advanced=_as_bool("shieldAdvanced", value("shieldAdvanced")),
        storefront_dist=_as_str("storefrontDist", value("storefrontDist")),
        replication_time_control=_as_bool(
            "replicationTimeControl", value("replicationTimeControl")
        ),
        alarm_email=optional("alarmEmail", _as_str),
        policy_exemptions=_parse_exemptions(value("policyExemptions")),
        threat_protection=_as_choice(
            "threatProtection", value("threatProtection"), get_args(ThreatProtection)
        ),
        auth_callback_urls=tuple(
            _callback_url(f"authCallbackUrls[{i}]", url)
            for i, url in enumerate(_as_list("authCallbackUrls", value("authCallbackUrls")))
        ),
        auth_domain_prefix=optional("authDomainPrefix", _domain_prefix),
        auth_token_minutes=_as_int("authTokenMinutes", value("authTokenMinutes"), 5, 1440),
        reservation_minutes=_as_int(
            "reservationMinutes", value("reservationMinutes"), 1, MAX_RESERVATION_MINUTES
        ),
        auth_refresh_token_days=_as_int(
            "authRefreshTokenDays", value("authRefreshTokenDays"), 1, 3650
        ),
        identity_providers=_parse_identity_providers(value("identityProviders")),
    )
    if not config.callback_urls:
        raise _fail(
            "authCallbackUrls",
            [],
            "at least one callback URL for the storefront app client when shop3d:domain is "
            "not set (with a domain, https://<domain>" + CALLBACK_PATH + " is one)",
        )
    return config
