"""`plan`: per-region and global counts and key settings of what the program declares."""

from __future__ import annotations

import json

from offline.plan import NOT_A_PREVIEW, render, summarize
from offline.scope import GLOBAL, scope_of, short_type
from policy import tokens as t
from tests.unit.conftest import ProgramFactory


def test_plan_counts_every_resource_once_per_scope_in_region_order(program: ProgramFactory) -> None:
    run = program("prod")
    plan = summarize(run)
    assert list(plan["scopes"]) == ["us-east-1", "eu-west-1", "ap-southeast-2", GLOBAL]
    counted = sum(sum(s["resources"].values()) for s in plan["scopes"].values())
    providers = sum(1 for r in run.resources if r.type_.startswith("pulumi:providers:"))
    assert counted == plan["total"] == len(run.resources) - providers
    # Edge services are global whatever provider registered them; cells are regional.
    assert "cloudfront.Distribution" in plan["scopes"][GLOBAL]["resources"]
    assert all(
        "cloudfront.Distribution" not in plan["scopes"][r]["resources"]
        for r in ("us-east-1", "eu-west-1", "ap-southeast-2")
    )
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        # Both presets run the web tier: one Auto Scaling group in every cell.
        assert plan["scopes"][region]["resources"]["autoscaling.Group"] == 1


def test_plan_shows_key_settings_from_the_stack_config(program: ProgramFactory) -> None:
    settings = "\n".join(
        summarize(program("prod", {"webTier": True, "catalogCache": True}))["scopes"]["eu-west-1"][
            "settings"
        ]
    )
    assert "cell-eu-west-1-web-asg: 2.0-30.0 instances" in settings
    assert "c7g.medium" in settings
    assert "cache.t4g.small, 2.0 nodes" in settings
    primary = "\n".join(summarize(program("prod"))["scopes"]["us-east-1"]["settings"])
    assert "cell-us-east-1-batch-spot: SPOT, 0.0-" in primary
    assert "data-us-east-1-assets-replication: 2 destinations, RTC on 2" in primary
    edge = "\n".join(summarize(program("prod"))["scopes"][GLOBAL]["settings"])
    assert "edge-waf: " in edge and "rate-per-ip" in edge
    dev = "\n".join(
        summarize(program("dev", {"catalogCache": True}))["scopes"]["us-east-1"]["settings"]
    )
    assert "cache.t4g.micro" in dev and "Serverless v2 0.5-4.0 ACU" in dev


def test_plan_says_it_is_not_a_preview_in_text_and_json(program: ProgramFactory) -> None:
    plan = summarize(program("dev"))
    text = render(plan)
    assert text.startswith(NOT_A_PREVIEW) and "NOT a preview" in text
    assert json.loads(json.dumps(plan, default=str))["note"] == NOT_A_PREVIEW
    assert "== us-east-1 (" in text and "== global (" in text


def test_plan_follows_config_a_stack_without_web_tier_has_no_asg(program: ProgramFactory) -> None:
    plan = summarize(program("dev", {"webTier": False}))
    assert all("autoscaling.Group" not in s["resources"] for s in plan["scopes"].values())


def test_short_type_and_scope_rules(program: ProgramFactory) -> None:
    assert short_type(t.BUCKET) == "s3.Bucket"
    assert short_type(t.AWSX_VPC) == "awsx.ec2.Vpc"
    run = program("dev")
    role = next(r for r in run.resources if r.type_ == t.IAM_ROLE)
    table = next(r for r in run.resources if r.type_ == t.TABLE)
    assert scope_of(role, ["us-east-1", "eu-west-1"]) == GLOBAL
    assert scope_of(table, ["us-east-1", "eu-west-1"]) == table.region
