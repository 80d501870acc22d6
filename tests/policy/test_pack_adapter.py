"""The pulumi-policy adapter: engine shapes in, rule findings out; the entry point serves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pulumi_policy import (
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import PolicyCustomTimeouts
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policy import tokens as t
from policy.model import ResourceRule, StackRule
from policy.pack import resource_policy, stack_policy, to_resource
from policy.rules import RULES_BY_NAME

ROOT = Path(__file__).resolve().parents[2]


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def policy_resource(type_: str, name: str, props: dict[str, object], deps=None) -> PolicyResource:
    return PolicyResource(
        type_,
        unknown_checking_proxy(props),
        f"urn::{name}",
        name,
        options(),
        None,
        None,
        [],
        deps or {},
    )


def run_resource_policy(rule_name: str, args: ResourceValidationArgs) -> list[str]:
    rule = RULES_BY_NAME[rule_name]
    assert isinstance(rule, ResourceRule)
    reported: list[str] = []
    validate = resource_policy(rule)._ResourceValidationPolicy__validate  # type: ignore[attr-defined]
    validate(args, lambda message, urn=None: reported.append(message))
    return reported


def test_resource_policies_see_plain_props_and_unknowns() -> None:
    props = {"billingMode": "PROVISIONED"}
    args = ResourceValidationArgs(
        t.TABLE, unknown_checking_proxy(props), "urn::t", "t", options(), None, {}, {}
    )
    assert run_resource_policy("dynamodb-on-demand", args) == [
        "billingMode 'PROVISIONED': use PAY_PER_REQUEST (or add autoscaling)"
    ]
    unknown = {"runtime": UNKNOWN_STRING_VALUE, "packageType": "Zip"}
    args = ResourceValidationArgs(
        t.FUNCTION, unknown_checking_proxy(unknown), "urn::f", "f", options(), None, {}, {}
    )
    assert run_resource_policy("lambda-supported-runtime", args) == []


def test_stack_policies_join_through_property_dependencies_at_preview() -> None:
    # At preview a new bucket's id is unknown: the join must use the engine's dependencies.
    bucket = policy_resource(t.BUCKET, "b", {"bucket": UNKNOWN_STRING_VALUE})
    versioning = policy_resource(
        t.BUCKET_VERSIONING,
        "v",
        {"bucket": UNKNOWN_STRING_VALUE, "versioningConfiguration": {"status": "Suspended"}},
        {"bucket": [bucket]},
    )
    rule = RULES_BY_NAME["s3-versioning"]
    assert isinstance(rule, StackRule)
    reported: list[tuple[str, str | None]] = []
    validate = stack_policy(rule)._StackValidationPolicy__validate  # type: ignore[attr-defined]
    args = StackValidationArgs([bucket, versioning], {}, {})
    validate(args, lambda message, urn=None: reported.append((message, urn)))
    assert reported == [
        (
            "bucket b needs a BucketVersioning with versioningConfiguration.status = Enabled",
            "urn::b",
        )
    ]
    assert to_resource(versioning).refs == {"bucket": frozenset({"urn::b"})}


def test_the_entry_point_builds_and_serves_the_pack() -> None:
    # pulumi-policy's PolicyPack starts the analyzer gRPC server and prints its port.
    # It writes the port to sys.stdout.buffer without a flush: through a pipe the line stays
    # buffered (and this test hung under .ci/run's empty environment) unless unbuffered.
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "policy" / "__main__.py")],
        cwd=ROOT / "policy",
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit() and int(port) > 0
    finally:
        process.terminate()
        process.wait(timeout=10)
