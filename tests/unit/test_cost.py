"""`cost`: the estimate reads the resource graph, the traffic profile and a dated price book."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from offline.cost.__main__ import main as cost_main
from offline.cost.estimate import HOURS, Estimate, Features, estimate
from offline.cost.live import NoCredentials, live_prices, on_demand_usd, pricing_client
from offline.cost.prices import PRICES_DIR, PriceMissing, latest_snapshot, load_snapshot
from offline.cost.report import render, to_json
from offline.cost.savings import savings
from offline.cost.traffic import TRAFFIC_DIR, TrafficProfile, load_profile
from offline.runner import RecordedResource
from policy import tokens as t
from tests.unit.conftest import ProgramFactory

PROFILE = TrafficProfile(web_instances=4)


# Every optional part on (the web tier, which both presets run, and what prod leaves off by
# default: catalog cache, interface endpoints, a NAT per AZ): every estimator prices something.
EVERYTHING_ON = {
    "webTier": True,
    "catalogCache": True,
    "interfaceEndpoints": True,
    "natGateways": "per-az",
}


def _service(result: Estimate, service: str, region: str) -> float:
    return result.by_service_region().get((service, region), 0.0)


def test_snapshot_names_its_date_and_source_and_prices_every_cell_region() -> None:
    book = load_snapshot()
    assert latest_snapshot().stem == book.as_of
    assert "aws.amazon.com" in book.source and "SNAPSHOT" in book.note
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(book.regional)


def test_snapshot_without_date_or_source_is_refused(tmp_path: Path) -> None:
    raw = json.loads(latest_snapshot().read_text())
    del raw["source"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="lacks source"):
        load_snapshot(bad)


def test_redis_cost_is_read_from_the_graph(program: ProgramFactory) -> None:
    book = load_snapshot()
    for stack, node in (("prod", "cache.t4g.small"), ("dev", "cache.t4g.micro")):
        run = program(stack, {"catalogCache": True})
        groups = run.of_type(t.REPLICATION_GROUP)
        assert groups
        result = estimate(run, PROFILE, book)
        for group in groups:
            assert group.inputs["nodeType"] == node
            expected = (
                group.inputs["numCacheClusters"]
                * HOURS
                * book.region(f"elasticache.hour.{node}", str(group.region))
            )
            assert _service(result, "ElastiCache", str(group.region)) == pytest.approx(
                expected, abs=0.01
            )


def test_every_cell_region_and_global_services_are_priced(program: ProgramFactory) -> None:
    result = estimate(program("prod", EVERYTHING_ON), PROFILE, load_snapshot())
    regions = {r for _, r in result.by_service_region()}
    assert regions == {"us-east-1", "eu-west-1", "ap-southeast-2", "global"}
    for service in ("CloudFront", "WAF", "Route 53", "Cognito"):
        assert _service(result, service, "global") > 0
    for service in ("Aurora", "EC2", "ELB", "Lambda", "DynamoDB", "VPC (NAT)"):
        assert _service(result, service, "eu-west-1") > 0
    assert result.total == pytest.approx(sum(i.usd for i in result.items), abs=0.01)


def test_prod_costs_more_than_dev_and_black_friday_more_than_default(
    program: ProgramFactory,
) -> None:
    book = load_snapshot()
    default = load_profile(TRAFFIC_DIR / "default.yaml")
    peak = load_profile(TRAFFIC_DIR / "black-friday.yaml")
    dev, prod = program("dev"), program("prod")
    assert estimate(prod, default, book).total > estimate(dev, default, book).total
    assert estimate(prod, peak, book).total > estimate(prod, default, book).total


def test_each_saver_switched_off_changes_only_its_services(program: ProgramFactory) -> None:
    run, book = program("prod", EVERYTHING_ON), load_snapshot()
    base = estimate(run, PROFILE, book)
    no_spot = estimate(run, PROFILE, book, Features(spot=False))
    assert _service(no_spot, "EC2", "us-east-1") > _service(base, "EC2", "us-east-1")
    assert _service(no_spot, "Aurora", "us-east-1") == _service(base, "Aurora", "us-east-1")
    no_tiering = estimate(run, PROFILE, book, Features(intelligent_tiering=False))
    assert _service(no_tiering, "S3", "eu-west-1") > _service(base, "S3", "eu-west-1")
    no_redis = estimate(run, PROFILE, book, Features(redis_cache=False))
    assert _service(no_redis, "ElastiCache", "us-east-1") == 0
    assert _service(no_redis, "DynamoDB", "us-east-1") > _service(base, "DynamoDB", "us-east-1")
    no_cdn = estimate(run, PROFILE, book, Features(cdn_cache=False))
    assert _service(no_cdn, "S3", "us-east-1") > _service(base, "S3", "us-east-1")
    saved = {s.feature: s for s in savings(run, PROFILE, book, base)}
    assert saved["spot"].saves_usd == pytest.approx(no_spot.total - base.total, abs=0.01)
    assert saved["spot"].saves_usd > 0 and saved["intelligent_tiering"].saves_usd > 0


def test_a_type_without_an_estimator_is_listed_not_guessed(program: ProgramFactory) -> None:
    run = program("dev")
    extra = RecordedResource(
        "aws:example/thing:Thing",
        "thing",
        "urn:thing",
        {},
        None,
        None,
        True,
        False,
        (),
        (),
        "us-east-1",
    )
    grown = dataclasses.replace(run, resources=[*run.resources, extra])
    result = estimate(grown, PROFILE, load_snapshot())
    assert result.not_priced["aws:example/thing:Thing"] == 1
    assert t.IAM_ROLE not in result.not_priced  # no charge of its own
    assert result.total == estimate(run, PROFILE, load_snapshot()).total


def test_region_missing_from_the_snapshot_is_priced_at_reference_rates_and_said(
    program: ProgramFactory,
) -> None:
    run = program("dev")
    book = load_snapshot()
    del book.regional["eu-west-1"]
    result = estimate(run, PROFILE, book)
    assert book.substituted_regions == {"eu-west-1"}
    text = render("dev", result, [], PROFILE, book)
    assert "priced at us-east-1 rates (not in the snapshot): eu-west-1" in text
    with pytest.raises(PriceMissing, match=re.escape("no price 'ec2.hour.x9.huge'")):
        book.region("ec2.hour.x9.huge", "us-east-1")


def test_report_text_and_json(program: ProgramFactory) -> None:
    run, book = program("dev"), load_snapshot()
    result = estimate(run, PROFILE, book)
    saved = savings(run, PROFILE, book, result)
    text = render("dev", result, saved, PROFILE, book)
    assert f"snapshot of {book.as_of}" in text and "Estimate, not a quote" in text
    assert "saves" in text and "spot above the on-demand base" in text
    data = to_json("dev", result, saved, PROFILE, book)
    assert data["monthly_usd"] == result.total and data["prices"]["as_of"] == book.as_of
    assert {s["feature"] for s in data["savings"]} == {
        "cdn_cache",
        "redis_cache",
        "spot",
        "intelligent_tiering",
    }


# -- traffic profiles -------------------------------------------------------------------------


def test_committed_profiles_load() -> None:
    names = {load_profile(p).name for p in sorted(TRAFFIC_DIR.glob("*.yaml"))}
    assert names == {"default", "black-friday"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cdn_hit_ratio: 1.5", "cdn_hit_ratio: 1.5 is not allowed; expected a number from 0 to 1"),
        ("requests: 10", "unknown key(s) requests; allowed: name, description, alb_requests"),
        ("api_requests: lots", "api_requests: 'lots' is not allowed"),
        ("idle_30_days_share: 0.6\nidle_90_days_share: 0.6", "expected at most 1"),
        ("region_shares: {us-east-1: 2}", "region_shares.us-east-1: 2 is not allowed"),
    ],
)
def test_bad_profile_is_refused_with_what_is_allowed(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=re.escape(message)):
        load_profile(path)


def test_region_shares_split_traffic_over_the_stack_regions() -> None:
    profile = TrafficProfile(region_shares={"us-east-1": 0.6, "eu-west-1": 0.2})
    assert profile.share("us-east-1", ["us-east-1", "eu-west-1"]) == pytest.approx(0.75)
    assert TrafficProfile().share("eu-west-1", ["us-east-1", "eu-west-1"]) == 0.5


# -- live prices: the Price List API response shape, through botocore's own stubber -----------


def _price_list_entry(sku: str, attributes: dict[str, str], usd: str) -> str:
    """One `PriceList` element as the Price List API returns it: a JSON document as a string."""
    return json.dumps(
        {
            "product": {"productFamily": "Compute Instance", "attributes": attributes, "sku": sku},
            "serviceCode": "AmazonEC2",
            "terms": {
                "OnDemand": {
                    f"{sku}.JRTCKXETXF": {
                        "priceDimensions": {
                            f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": "Hrs",
                                "endRange": "Inf",
                                "beginRange": "0",
                                "appliesTo": [],
                                "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7",
                                "description": "$0.0777 per On Demand Linux c7g.large Instance Hour",
                                "pricePerUnit": {"USD": usd},
                            }
                        },
                        "sku": sku,
                        "effectiveDate": "2025-06-01T00:00:00Z",
                        "offerTermCode": "JRTCKXETXF",
                        "termAttributes": {},
                    }
                }
            },
            "version": "20250601000000",
            "publicationDate": "2025-06-01T00:00:00Z",
        }
    )


def test_on_demand_price_takes_the_first_tier() -> None:
    entry = json.loads(_price_list_entry("SKU1", {"instanceType": "c7g.large"}, "0.0777"))
    dimensions = entry["terms"]["OnDemand"]["SKU1.JRTCKXETXF"]["priceDimensions"]
    dimensions["SKU1.JRTCKXETXF.TIER2"] = {
        "beginRange": "750000",
        "endRange": "Inf",
        "unit": "Hrs",
        "pricePerUnit": {"USD": "0.05"},
    }
    assert on_demand_usd(json.dumps(entry)) == pytest.approx(0.0777)
    del entry["terms"]["OnDemand"]
    with pytest.raises(ValueError, match="SKU1 has no on-demand price"):
        on_demand_usd(json.dumps(entry))


def test_live_prices_replace_the_fetchable_keys_and_say_so() -> None:
    snapshot = load_snapshot()
    snapshot.regional = {"us-east-1": {"ec2.hour.c7g.large": 1.0, "nat.hour": 0.045}}
    client = boto3.client(
        "pricing", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    attributes = {
        "instanceType": "c7g.large",
        "regionCode": "us-east-1",
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "capacitystatus": "Used",
        "preInstalledSw": "NA",
        "servicecode": "AmazonEC2",
    }
    with Stubber(client) as stubber:
        stubber.add_response(
            "get_products",
            {
                "FormatVersion": "aws_v1",
                "PriceList": [_price_list_entry("ABC123", attributes, "0.0777000000")],
            },
            {
                "ServiceCode": "AmazonEC2",
                "FormatVersion": "aws_v1",
                "MaxResults": 10,
                "Filters": [
                    {"Type": "TERM_MATCH", "Field": k, "Value": v}
                    for k, v in [
                        ("regionCode", "us-east-1"),
                        ("instanceType", "c7g.large"),
                        ("operatingSystem", "Linux"),
                        ("tenancy", "Shared"),
                        ("preInstalledSw", "NA"),
                        ("capacitystatus", "Used"),
                    ]
                ],
            },
        )
        book = live_prices(snapshot, client, ["us-east-1"])
        stubber.assert_no_pending_responses()
    assert book.region("ec2.hour.c7g.large", "us-east-1") == pytest.approx(0.0777)
    assert book.region("nat.hour", "us-east-1") == 0.045  # no live query: the snapshot's
    assert book.origin == {"us-east-1:ec2.hour.c7g.large": "live"}


@pytest.mark.usefixtures("no_credentials")
def test_live_mode_without_credentials_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(NoCredentials, match=r"needs AWS credentials .* committed snapshot"):
        pricing_client()
    # The command says so before spending time on the program run, and fails.
    assert cost_main(["dev", "--prices", "live"]) == 1
    assert "needs AWS credentials" in capsys.readouterr().err


def test_command_refuses_a_bad_profile_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("cdn_gb: -1")
    assert cost_main(["dev", "--traffic", str(bad)]) == 1
    assert "cdn_gb: -1 is not allowed" in capsys.readouterr().err


def test_prices_dir_holds_only_dated_snapshots() -> None:
    for path in PRICES_DIR.glob("*.json"):
        assert json.loads(path.read_text())["as_of"] == path.stem


# -- the startup budget ---------------------------------------------------------------------

BUDGET_USD = 1200.0


def test_prod_defaults_fit_the_budget_and_keep_three_regions_and_failover(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    default = load_profile(TRAFFIC_DIR / "default.yaml")
    result = estimate(run, default, load_snapshot())
    assert result.total <= BUDGET_USD, f"prod costs {result.total:,.2f} a month"
    regions = run.outputs["regions"]
    assert len(regions) == 3
    # RPO of seconds: a global database with a cluster and an instance in every region.
    clusters = {str(c.region) for c in run.of_type(t.RDS_CLUSTER)}
    instances = {str(i.region) for i in run.of_type(t.RDS_CLUSTER_INSTANCE)}
    assert clusters == instances == set(regions)
    # Failover: every cell has its health check; the catalog cache, which costs by the hour
    # and served nothing at this traffic, is gone; the web tier renders the pages.
    assert set(run.outputs["healthCheckIds"]) == set(regions)
    assert not run.of_type(t.REPLICATION_GROUP)
    assert {str(g.region) for g in run.of_type(t.AUTOSCALING_GROUP)} == set(regions)


def test_the_break_even_of_each_saver_follows_the_price_book() -> None:
    from offline.cost.thresholds import config_of, thresholds

    book = load_snapshot()
    config = config_of("prod")
    default = load_profile(TRAFFIC_DIR / "default.yaml")
    found = {(t.key, t.region): t for t in thresholds(config, default, book)}
    redis = found[("catalogCache", "us-east-1")]
    node_month = 2 * HOURS * book.region("elasticache.hour.cache.t4g.small", "us-east-1")
    read = book.region("dynamodb.read_million", "us-east-1") / 1e6
    assert redis.pays_above == pytest.approx(node_month / (default.redis_hit_ratio * read))
    assert not redis.pays and not redis.enabled
    endpoints = found[("interfaceEndpoints", "eu-west-1")]
    fee = 3 * HOURS * book.region("vpc.interface_endpoint_az_hour", "eu-west-1")
    assert endpoints.pays_above == pytest.approx(fee / book.region("nat.gb", "eu-west-1"))
    assert not endpoints.pays
    busy = dataclasses.replace(default, api_requests=2e9, nat_gb=20_000.0)
    busy_found = {(t.key, t.region): t for t in thresholds(config, busy, book)}
    assert busy_found[("catalogCache", "us-east-1")].pays
    assert busy_found[("interfaceEndpoints", "eu-west-1")].pays
