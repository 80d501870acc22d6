"""The search projection under Pulumi's mocks: one consumer of the catalog stream, in the
primary region, writing as its own database user, started after the schema exists."""

from __future__ import annotations

import json

import pytest

from handlers.shared import env
from handlers.shared.deploy_events import APPLY_SCHEMA_EVENT_KEY, SEARCH_PROJECTION_ROLE
from handlers.shared.functions import SEARCH_PROJECTION_BATCH_SIZE, SEARCH_PROJECTION_HANDLER
from offline.runner import ProgramRun, RecordedResource
from policy import tokens as t
from tests.unit.conftest import ProgramFactory
from tests.unit.test_cell import _allowed, _environment, named


def _stream_mappings(run: ProgramRun) -> list[RecordedResource]:
    """The event source mappings that read a DynamoDB stream (the asset queues' read SQS)."""
    return [
        m for m in run.of_type(t.EVENT_SOURCE_MAPPING) if ":dynamodb:" in m.inputs["eventSourceArn"]
    ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_only_the_primary_consumes_the_catalog_stream(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    primary = run.outputs["regions"][0]
    (mapping,) = _stream_mappings(run)
    assert mapping.region == primary
    catalog = run.named(f"data-{primary}-catalog")
    assert mapping.inputs["eventSourceArn"].startswith(f"arn:aws:dynamodb:{primary}:")
    assert "/stream/" in mapping.inputs["eventSourceArn"]
    assert catalog.inputs["streamEnabled"] is True
    # NEW_AND_OLD_IMAGES: the projection reads the new image, and the old one of a removal.
    assert catalog.inputs["streamViewType"] == "NEW_AND_OLD_IMAGES"
    assert (
        catalog.inputs["replicas"] is None
        or len(catalog.inputs["replicas"]) == len(run.outputs["regions"]) - 1
    )
    function = named(run, primary, "-search-projection")
    assert mapping.inputs["functionName"].endswith(
        function.inputs.get("name") or f"{function.name}-0a1b2c3"
    )
    assert function.inputs["handler"] == SEARCH_PROJECTION_HANDLER
    for region in run.outputs["regions"][1:]:
        assert not [
            f for f in run.of_type(t.FUNCTION) if f.name.endswith(f"{region}-search-projection")
        ]


def test_the_mapping_keeps_order_retries_and_starts_after_the_schema(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    (mapping,) = _stream_mappings(run)
    inputs = mapping.inputs
    assert inputs["startingPosition"] == "TRIM_HORIZON"
    assert inputs["batchSize"] == SEARCH_PROJECTION_BATCH_SIZE
    assert inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    # A skipped record would leave a stale row: retried until it succeeds.
    assert (inputs["maximumRetryAttempts"], inputs["maximumRecordAgeInSeconds"]) == (-1, -1)
    (schema,) = [
        i for i in run.of_type(t.LAMBDA_INVOCATION) if APPLY_SCHEMA_EVENT_KEY in i.inputs["input"]
    ]
    assert schema.urn in mapping.dependencies


def test_the_projection_reads_only_the_stream_and_signs_in_as_its_own_user(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    primary = run.outputs["regions"][0]
    policy = named(run, primary, "-search-projection-role-policy")
    (stream,) = _allowed(policy, "dynamodb:GetRecords")
    assert stream.startswith(f"arn:aws:dynamodb:{primary}:") and "-catalog-" in stream
    assert "/stream/" in stream
    (user,) = _allowed(policy, "rds-db:connect")
    assert user.endswith(f"/{SEARCH_PROJECTION_ROLE}")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert not {a for a in actions if a.startswith("dynamodb:") and "Item" in a}
    assert "secretsmanager:GetSecretValue" not in actions
    environment = _environment(named(run, primary, "-search-projection"))
    assert environment[env.DATABASE_IAM_USER] == SEARCH_PROJECTION_ROLE
    # The writer (the primary cluster's endpoint, not its read-only "cluster-ro-" one).
    host = environment[env.DATABASE_HOST]
    assert ".cluster-" in host and ".cluster-ro-" not in host
    assert host.endswith(f".{primary}.rds.amazonaws.com")
