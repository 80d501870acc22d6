"""Small queries over a recorded program run, shared by the graph tests."""

from __future__ import annotations

from offline.runner import ProgramRun, RecordedResource
from policy import tokens as t

BUCKET = t.BUCKET
TABLE = t.TABLE
CLUSTER = t.RDS_CLUSTER
REPLICA_KEY = t.KMS_REPLICA_KEY
KEY = t.KMS_KEY
REPLICATION = t.BUCKET_REPLICATION

# Types that hold data or whose loss is costly: protected in prod (the policy pack's set).
STATEFUL_TYPES = frozenset(t.STATEFUL)


def in_region(run: ProgramRun, type_: str, region: str) -> list[RecordedResource]:
    return [r for r in run.of_type(type_) if r.region == region]


def bucket_named(run: ProgramRun, region: str, role: str) -> RecordedResource:
    return run.named(f"data-{region}-{role}")


def bucket_id(run: ProgramRun, region: str, role: str) -> str:
    """The id the mocks gave the bucket (the id its sibling resources reference)."""
    bucket = bucket_named(run, region, role)
    return str(bucket.inputs.get("bucket") or f"{bucket.name}-0a1b2c3")
