"""Properties of the whole resource graph that every component must keep."""

from __future__ import annotations

import json

import pytest

from policy import tokens as t
from stack_config.catalog import EDGE_REGION, REGIONS
from tests.unit.conftest import ProgramFactory
from tests.unit.graph import KEY, STATEFUL_TYPES

STACKS = ["dev", "prod"]
# Types that exist once per account or stack rather than per region.
GLOBAL_TYPES_PREFIXES = (
    "aws:iam/",
    "aws:rds/globalCluster:",
    "random:",
    "aws:cloudfront/",
    "aws:route53/",
    "aws:wafv2/",
    "aws:shield/",
    "aws:acm/",
    "aws:cloudtrail/",
    "aws:cognito/",
    "pulumi:providers:",
)


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_resource_has_a_regional_provider(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    regions = set(run.outputs["regions"]) | {EDGE_REGION}
    for resource in run.resources:
        if resource.custom and resource.type_.startswith("aws:"):
            assert resource.provider, f"{resource.name} falls to the default provider"
            assert "pulumi:providers:aws::default" not in resource.provider, resource.name
            assert resource.region in regions, f"{resource.name} has region {resource.region}"


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_sits_inside_a_component(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    components = {r.urn for r in run.resources if not r.custom}
    for resource in run.resources:
        if resource.type_.startswith("pulumi:providers:"):
            continue
        assert resource.parent, f"{resource.name} has no parent"
        if resource.custom:
            assert resource.parent in components, f"{resource.name} is not inside a component"


@pytest.mark.parametrize("stack", STACKS)
def test_logical_names_are_unique_and_carry_their_region(
    program: ProgramFactory, stack: str
) -> None:
    run = program(stack)
    names = [r.name for r in run.resources]
    assert len(names) == len(set(names)), "duplicate logical names"
    assert len({r.urn for r in run.resources}) == len(run.resources)
    for resource in run.resources:
        if not resource.custom or resource.type_.startswith(GLOBAL_TYPES_PREFIXES):
            continue
        assert any(region in resource.name for region in REGIONS), (
            f"{resource.name} ({resource.type_}) does not carry its region"
        )
        if resource.region:
            assert resource.region in resource.name or resource.region == EDGE_REGION, (
                f"{resource.name} is in {resource.region}"
            )


def test_prod_protects_every_stateful_resource(program: ProgramFactory) -> None:
    run = program("prod")
    stateful = [r for r in run.resources if r.type_ in STATEFUL_TYPES]
    assert len(stateful) > 20
    unprotected = [r.name for r in stateful if not r.protect]
    assert unprotected == []


def test_dev_protects_nothing(program: ProgramFactory) -> None:
    run = program("dev")
    assert [r.name for r in run.resources if r.protect] == []


@pytest.mark.parametrize("stack", STACKS)
def test_key_policies_have_no_wildcard_principal(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    keys = run.of_type(KEY) + run.of_type(t.KMS_REPLICA_KEY)
    assert keys
    for key in keys:
        for statement in json.loads(key.inputs["policy"])["Statement"]:
            principal = statement["Principal"]
            assert principal != "*" and principal.get("AWS") != "*", key.name


def test_prod_registers_the_data_layer_for_three_regions(program: ProgramFactory) -> None:
    run = program("prod")
    assert run.outputs["regions"] == ["us-east-1", "eu-west-1", "ap-southeast-2"]
    assert sorted(run.outputs["keyArns"]) == sorted(run.outputs["regions"])
    assert set(run.outputs["tableNames"]) == {"catalog", "carts", "sessions"}
    assert sorted(run.outputs["bucketNames"]) == sorted(run.outputs["regions"])
    assert run.outputs["databaseWriterEndpoint"].endswith(".global.rds.amazonaws.com")


@pytest.mark.parametrize("stack", STACKS)
def test_dev_buckets_empty_on_destroy_and_prod_buckets_never_do(
    program: ProgramFactory, stack: str
) -> None:
    # Without force_destroy `pulumi destroy` of dev stops at BucketNotEmpty.
    buckets = program(stack).of_type("aws:s3/bucket:Bucket")
    assert buckets
    for bucket in buckets:
        assert bucket.inputs["forceDestroy"] is (stack == "dev"), bucket.name
        assert bucket.protect is (stack == "prod"), bucket.name
