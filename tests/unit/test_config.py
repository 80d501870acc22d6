"""Stack config: presets, overrides, and an error naming key, value and what is allowed."""

from __future__ import annotations

import pytest

from offline.runner import ProgramFailed, run_program
from stack_config.config import ConfigError, parse_config
from stack_config.presets import PRESETS


def test_dev_preset() -> None:
    config = parse_config({"environment": "dev"})
    assert config.region_names == ("us-east-1", "eu-west-1")
    assert config.nat_gateways == "single"
    assert config.aurora_min_capacity == 0.5
    assert config.deletion_protection is False
    assert config.backup_retention_days == 1
    assert config.availability_zones == 2


def test_prod_preset() -> None:
    config = parse_config(
        {"environment": "prod", "domain": "shop.example.com", "hostedZoneId": "Z1"}
    )
    assert config.region_names == ("us-east-1", "eu-west-1", "ap-southeast-2")
    # One NAT per cell, no interface endpoints, no catalog cache, a web tier of one on-demand
    # and one spot instance: the baseline a startup pays (docs/plan-and-cost.md has each
    # saving's trade-off).
    assert config.nat_gateways == "single"
    assert config.interface_endpoints is False
    assert config.catalog_cache is False
    assert config.web_tier is True
    assert config.primary.on_demand_base_capacity == 1 and config.primary.web_min_size == 2
    assert config.aurora_instances == 2 and config.aurora_secondary_instances == 1
    assert config.health_check_interval == 10
    assert config.deletion_protection is True
    assert config.backup_retention_days == 35
    assert config.availability_zones == 3
    assert config.primary.name == "us-east-1"
    assert [r.name for r in config.secondaries] == ["eu-west-1", "ap-southeast-2"]


def test_single_keys_override_the_preset() -> None:
    config = parse_config(
        {
            "environment": "prod",
            "domain": "shop.example.com",
            "hostedZoneId": "Z1",
            "natGateways": "per-az",
            "backupRetentionDays": "7",
            "deletionProtection": "false",
        }
    )
    assert config.nat_gateways == "per-az"
    assert config.backup_retention_days == 7
    assert config.deletion_protection is False
    assert config.availability_zones == 3  # untouched keys keep the preset


def test_preset_sentinels_from_pulumi_yaml_mean_the_preset() -> None:
    config = parse_config(
        {
            "environment": "prod",
            "domain": "shop.example.com",
            "hostedZoneId": "Z1",
            "regions": '["preset"]',
            "availabilityZones": "-1",
            "deletionProtection": "preset",
        }
    )
    assert config.region_names == tuple(PRESETS["prod"]["regions"])  # type: ignore[arg-type]
    assert config.availability_zones == 3
    assert config.deletion_protection is True


def test_region_overrides() -> None:
    config = parse_config(
        {
            "regions": [
                "eu-central-1 vpcCidr=10.40.0.0/16 onDemandBaseCapacity=3 webMaxSize=9",
                {"name": "us-west-2", "webMinSize": 2},
            ]
        }
    )
    first, second = config.regions
    assert (first.name, first.vpc_cidr, first.on_demand_base_capacity, first.web_max_size) == (
        "eu-central-1",
        "10.40.0.0/16",
        3,
        9,
    )
    assert (second.name, second.web_min_size, second.vpc_cidr) == ("us-west-2", 2, "10.13.0.0/16")


def test_regions_as_json_string_as_the_engine_passes_them() -> None:
    assert parse_config({"regions": '["eu-west-2", "us-east-2"]'}).region_names == (
        "eu-west-2",
        "us-east-2",
    )


def test_optional_domain_normalised() -> None:
    config = parse_config({"domain": "Shop.Example.com.", "hostedZoneId": "Z1"})
    assert config.domain == "shop.example.com"
    assert parse_config({"domain": ""}).domain is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"regions": []},
            "shop3d:regions: [] is not allowed; expected at least one region; the first is the primary",
        ),
        (
            {"regions": ["eu-west-9"]},
            "shop3d:regions[0]: 'eu-west-9' is not allowed; expected a region from the catalog: "
            "ap-northeast-1,",
        ),
        (
            {"regions": ["us-east-1", "eu-west-1", "us-east-1"]},
            "shop3d:regions[2]: 'us-east-1' is not allowed; expected each region once; it is already "
            "regions[0]",
        ),
        (
            {"regions": ["us-east-1 vpcCidr=10.1.0.0/16", "eu-west-1 vpcCidr=10.1.128.0/17"]},
            "shop3d:regions[1].vpcCidr: '10.1.128.0/17' is not allowed; expected a VPC CIDR that does "
            "not overlap regions[0] (us-east-1, 10.1.0.0/16)",
        ),
        (
            {"regions": ["us-east-1 vpcCidr=8.8.0.0/16"]},
            "shop3d:regions[0].vpcCidr: '8.8.0.0/16' is not allowed; expected a private IPv4 network",
        ),
        (
            {"regions": ["us-east-1 vpcCidr=10.1.0.0/24"]},
            "expected a private IPv4 network with a prefix from /16 to /20",
        ),
        (
            {"regions": ["us-east-1 cidr=10.1.0.0/16"]},
            "shop3d:regions[0].cidr: '10.1.0.0/16' is not allowed; expected one of the overrides "
            "vpcCidr, onDemandBaseCapacity, webMinSize, webMaxSize",
        ),
        (
            {"regions": [42]},
            "shop3d:regions[0]: 42 is not allowed; expected a region name such as 'eu-west-1'",
        ),
        (
            {"regions": "us-east-1"},
            "shop3d:regions: 'us-east-1' is not allowed; expected a list (YAML list, or a JSON array)",
        ),
        (
            {
                "regions": [
                    "us-east-1",
                    "us-east-2",
                    "us-west-2",
                    "eu-west-1",
                    "eu-west-2",
                    "eu-west-3",
                    "eu-central-1",
                ]
            },
            "expected at most 6 regions",
        ),
        (
            {"environment": "staging"},
            "shop3d:environment: 'staging' is not allowed; expected one of 'dev', 'prod'",
        ),
        (
            {"availabilityZones": "three"},
            "shop3d:availabilityZones: 'three' is not allowed; expected an integer from 2 to 3",
        ),
        (
            {"availabilityZones": True},
            "shop3d:availabilityZones: True is not allowed; expected an integer from 2 to 3",
        ),
        (
            {"deletionProtection": "yes"},
            "shop3d:deletionProtection: 'yes' is not allowed; expected true or false",
        ),
        (
            {"backupRetentionDays": 36},
            "shop3d:backupRetentionDays: 36 is not allowed; expected an integer from 1 to 35",
        ),
        (
            {"auroraMinCapacity": "0.7"},
            "shop3d:auroraMinCapacity: '0.7' is not allowed; expected a number from 0.5 to 256 in "
            "steps of 0.5",
        ),
        (
            {"auroraMinCapacity": "8", "auroraMaxCapacity": "4"},
            "shop3d:auroraMinCapacity: 8.0 is not allowed; expected at most auroraMaxCapacity (4.0)",
        ),
        (
            {"logRetentionDays": 15},
            "shop3d:logRetentionDays: 15 is not allowed; expected one of 1, 3, 5, 7, 14, 30",
        ),
        (
            {"natGateways": "none"},
            "shop3d:natGateways: 'none' is not allowed; expected one of 'single', 'per-az'",
        ),
        (
            {"environment": "prod", "regions": ["us-east-1", "us-west-1"]},
            "shop3d:regions[1]: 'us-west-1' is not allowed; expected a region with at least 3 "
            "availability zones (availabilityZones=3); us-west-1 has 2",
        ),
        (
            {"regions": ["us-east-1 webMinSize=5 webMaxSize=2"]},
            "shop3d:regions[0].webMinSize: 5 is not allowed; expected at most webMaxSize (2)",
        ),
        (
            {"domain": "https://shop.example.com/"},
            "shop3d:domain: 'https://shop.example.com/' is not allowed; expected a domain name",
        ),
        (
            {"hostedZoneId": "Z123"},
            "shop3d:hostedZoneId: 'Z123' is not allowed; expected to be set only together with "
            "shop3d:domain",
        ),
        (
            {"policyExemptions": ["aurora-multi-az"]},
            "shop3d:policyExemptions[0]: 'aurora-multi-az' is not allowed; expected '<rule name>: "
            "<reason>' with a non-empty reason",
        ),
        (
            {"instanceTypes": []},
            "shop3d:instanceTypes: [] is not allowed; expected at least one instance type",
        ),
        (
            {"lambdaArchitecture": "arm"},
            "shop3d:lambdaArchitecture: 'arm' is not allowed; expected one of 'arm64', 'x86_64'",
        ),
        ({"regionz": ["us-east-1"]}, "shop3d:regionz: unknown key; the keys are alarmEmail,"),
        (
            {"instanceTypes": ["c7g.large", "c7i.large"]},
            "shop3d:instanceTypes: ['c7g.large', 'c7i.large'] is not allowed; expected types of "
            "one CPU architecture (one AMI serves them all), only Graviton (arm64) or only "
            "x86_64; these mix architectures: c7g.large (arm64), c7i.large (x86_64)",
        ),
        (
            {"environment": "prod"},
            "shop3d:authCallbackUrls: [] is not allowed; expected at least one callback URL for "
            "the storefront app client when shop3d:domain is not set",
        ),
    ],
)
def test_bad_config_names_key_value_and_allowed(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["c7g.large", "m6g.large", "t4g.small", "c7gn.medium", "m7gd.large"], "arm64"),
        (["c7i.large", "m6i.large", "t3.small"], "x86_64"),
    ],
)
def test_the_web_tier_architecture_follows_the_instance_types(
    types: list[str], expected: str
) -> None:
    assert parse_config({"instanceTypes": types}).web_architecture == expected


def test_bad_config_fails_the_program_before_any_resource() -> None:
    with pytest.raises(ProgramFailed) as failure:
        run_program("dev", {"regions": ["us-east-1", "us-east-1"]})
    assert isinstance(failure.value.__cause__, ConfigError)
    assert "shop3d:regions[1]: 'us-east-1' is not allowed" in str(failure.value)
    assert failure.value.resources == []


def test_undeclared_stack_key_is_refused_like_the_cli() -> None:
    with pytest.raises(ValueError, match="shop3d:regionz which are not defined by the project"):
        run_program("dev", {"regionz": ["us-east-1"]})


def test_reservation_minutes_default_bounds_and_the_cart_services_own_bounds() -> None:
    from handlers.cart.settings import DEFAULT_RESERVATION_MINUTES, MAX_RESERVATION_MINUTES
    from stack_config import config as stack

    assert parse_config({}).reservation_minutes == DEFAULT_RESERVATION_MINUTES == 30
    assert parse_config({"reservationMinutes": 45}).reservation_minutes == 45
    # The stack refuses what the cart service would refuse at start-up.
    assert stack.MAX_RESERVATION_MINUTES == MAX_RESERVATION_MINUTES
    for bad in (0, MAX_RESERVATION_MINUTES + 1):
        with pytest.raises(ConfigError, match="reservationMinutes"):
            parse_config({"reservationMinutes": bad})


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_no_lambda_concurrency_is_reserved_unless_configured(environment: str) -> None:
    zone = {"domain": "shop.example.com", "hostedZoneId": "Z1"} if environment == "prod" else {}
    config = parse_config({"environment": environment, **zone})
    assert config.lambda_reserved_concurrency == 0
    assert config.asset_max_concurrency == 5
    assert parse_config({"lambdaReservedConcurrency": "30"}).lambda_reserved_concurrency == 30


def test_asset_concurrency_outside_the_event_source_range_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"shop3d:assetMaxConcurrency: 1 .* from 2 to 1000"):
        parse_config({"assetMaxConcurrency": 1})


def test_a_domain_without_its_zone_fails_before_any_resource_naming_the_bootstrap_step() -> None:
    # Creating the zone in the same run would leave ACM waiting on DNS validation until its
    # timeout: the registrar cannot delegate to name servers the run has not printed yet.
    with pytest.raises(ProgramFailed) as failure:
        run_program("dev", {"domain": "shop.example.com"})
    assert failure.value.resources == []
    message = str(failure.value)
    assert message.startswith("shop3d:hostedZoneId: required with shop3d:domain")
    assert "./shop3d bootstrap-zone shop.example.com" in message
    assert "./shop3d preflight <stack>" in message
