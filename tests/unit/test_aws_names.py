"""Every physical name the program gives AWS fits that type's documented limit, in every region
of the catalog (sources: offline/aws_names.py RULES, one AWS API reference per type)."""

from __future__ import annotations

import pytest

from offline import aws_names
from offline.aws_names import PhysicalName, names_in_every_region, physical_name, violation
from offline.runner import RecordedResource
from stack_config.catalog import REGIONS
from tests.unit.conftest import ProgramFactory

STACKS = ["dev", "prod"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_named_resource_fits_its_aws_limit_in_every_catalog_region(
    program: ProgramFactory, stack: str
) -> None:
    assert aws_names.violations(program(stack)) == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_type_the_program_creates_has_a_name_rule_or_is_known_unnamed(
    program: ProgramFactory, stack: str
) -> None:
    assert aws_names.unclassified_types(program(stack)) == []


def test_names_are_respelt_for_each_of_the_sixteen_catalog_regions(
    program: ProgramFactory,
) -> None:
    names = names_in_every_region(program("prod").resources)
    target_groups = {n.region for n in names if n.type_ == "aws:lb/targetGroup:TargetGroup"}
    assert target_groups == set(REGIONS)
    assert len(REGIONS) == 16


def test_an_auto_named_target_group_in_ap_southeast_2_is_reported_as_36_characters() -> None:
    name, how = physical_name("aws:lb/targetGroup:TargetGroup", "cell-ap-southeast-2-alb-cart", {})
    assert (name, how) == ("cell-ap-southeast-2-alb-cart-a1b2c3d", "auto")
    problem = violation(
        PhysicalName(
            "cell-ap-southeast-2-alb-cart",
            "aws:lb/targetGroup:TargetGroup",
            "ap-southeast-2",
            name,
            how,
        )
    )
    assert problem is not None and "36 characters, allowed 1-32" in problem


def test_a_name_prefix_counts_26_provider_characters() -> None:
    name, how = physical_name(
        "aws:lb/targetGroup:TargetGroup", "cell-ap-southeast-2-alb-cart", {"namePrefix": "cart-"}
    )
    assert how == "prefix" and len(name) == 31


def test_a_signer_profile_name_with_a_hyphen_is_refused() -> None:
    problem = violation(
        PhysicalName(
            "p",
            "aws:signer/signingProfile:SigningProfile",
            "us-east-1",
            "shop3d-prod-profile",
            "explicit",
        )
    )
    assert problem is not None and "underscores only" in problem


def test_the_target_groups_use_a_short_prefix_in_every_stack(program: ProgramFactory) -> None:
    for stack in STACKS:
        groups = program(stack).of_type("aws:lb/targetGroup:TargetGroup")
        assert groups and all(len(g.inputs.get("namePrefix", "")) <= 6 for g in groups)
        assert all("name" not in g.inputs for g in groups)


def test_the_name_table_in_docs_is_up_to_date() -> None:
    assert aws_names.NAME_TABLE.body() == aws_names.table(), "run python -m offline.aws_names"


def test_a_region_free_name_is_checked_once_as_recorded() -> None:
    resource = RecordedResource(
        type_="aws:backup/vault:Vault",
        name="security-backup",
        urn="u",
        inputs={},
        provider=None,
        parent=None,
        custom=True,
        protect=False,
        ignore_changes=(),
        dependencies=(),
        region=None,
    )
    names = names_in_every_region([resource])
    assert [n.name for n in names] == ["security-backup-a1b2c3d"]
