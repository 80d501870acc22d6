"""Replay a mock-runtime program run through the policy rules (no CLI, no engine).

Stack rules join resources by the values one resource passes to another (a bucket's id in a
BucketVersioning's `bucket`, a cluster's ARN in a WebAclAssociation, ...). The recorded run
has inputs but not the mocks' outputs, so each resource's id and outputs are recomputed with
the same OfflineMocks the harness used: deterministic, so they are the values that flowed.
"""

from __future__ import annotations

from collections.abc import Iterable

import pulumi

from offline.mocks import OfflineMocks
from offline.runner import ProgramRun, RecordedResource
from policy.model import Resource, Stack
from policy.values import unwrap_secrets

# Output properties other resources use to point at a resource.
IDENTITY_OUTPUTS = ("arn", "name", "bucket", "keyId", "id", "clusterIdentifier", "vpcId")


def identities(recorded: RecordedResource) -> frozenset[str]:
    mocks = OfflineMocks(lambda _provider: recorded.region or "us-east-1")
    args = pulumi.runtime.MockResourceArgs(
        typ=recorded.type_,
        name=recorded.name,
        inputs=recorded.inputs,
        provider=recorded.provider,
        resource_id="",
        custom=recorded.custom,
    )
    physical_id, state = mocks.new_resource(args)
    values = [physical_id, *(state.get(key) for key in IDENTITY_OUTPUTS)]
    return frozenset(v for v in values if isinstance(v, str) and v)


def to_resource(recorded: RecordedResource) -> Resource:
    return Resource(
        type=recorded.type_,
        name=recorded.name,
        urn=recorded.urn,
        props=unwrap_secrets(recorded.inputs),
        protect=recorded.protect,
        parent=recorded.parent,
        identities=identities(recorded) | {recorded.name},
        region=recorded.region,
    )


def to_stack(run: ProgramRun | Iterable[RecordedResource]) -> Stack:
    resources = run.resources if isinstance(run, ProgramRun) else run
    return Stack(tuple(to_resource(r) for r in resources))
