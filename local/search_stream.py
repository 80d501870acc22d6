"""The local stand-in for Lambda's event source mapping on the catalog stream: polls DynamoDB
Local's stream of the catalog table (DynamoDB Local implements DynamoDB Streams) and hands the
records, in the shape Lambda delivers them, to the same projection handler AWS runs
(handlers.cart.search_projection.project).

A failed record is read again from its sequence number on the next poll, as the event source
mapping retries it (ReportBatchItemFailures).

DynamoDB Local refuses the next iterator of a shard read while it was empty once a record
arrives (TrimmedDataAccessException, measured with its 2.x jar): such a shard is opened again
after the last record read from it (from the trim horizon when none was), as a reader of
DynamoDB Streams does with an expired or trimmed iterator.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from botocore.exceptions import ClientError

from handlers.cart.search_projection import project
from handlers.cart.stores.database import Connections
from handlers.shared.functions import SEARCH_PROJECTION_BATCH_SIZE

logger = logging.getLogger(__name__)
POLL_SECONDS: Final = 0.1
_REOPEN_ON: Final = ("TrimmedDataAccessException", "ExpiredIteratorException")
BATCH_SIZE: Final = SEARCH_PROJECTION_BATCH_SIZE


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as the event source mapping hands it to Lambda: the same fields,
    ApproximateCreationDateTime in epoch seconds (boto3 parses it into a datetime), and the
    stream's ARN as eventSourceARN."""
    change = dict(record["dynamodb"])
    when = change.get("ApproximateCreationDateTime")
    if isinstance(when, datetime):
        change["ApproximateCreationDateTime"] = when.timestamp()
    return {**record, "dynamodb": change, "eventSourceARN": stream_arn}


class CatalogStream:
    """Every shard of one table's stream, read from its oldest record (trim horizon): the
    projection is idempotent, so reading again what was projected before changes nothing."""

    def __init__(self, dynamodb: Any, streams: Any, table: str, connections: Connections) -> None:
        self._streams = streams
        self._connections = connections
        described = dynamodb.describe_table(TableName=table)["Table"]
        self.arn: str = described["LatestStreamArn"]
        self._iterators: dict[str, str | None] = {}
        self._last_read: dict[str, str] = {}  # shard -> sequence number of its last record read
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _discover(self) -> None:
        shards = self._streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]

    def _reopen(self, shard_id: str) -> str:
        last = self._last_read.get(shard_id)
        where: dict[str, str] = (
            {"ShardIteratorType": "TRIM_HORIZON"}
            if last is None
            else {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last}
        )
        iterator: str = self._streams.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard_id, **where
        )["ShardIterator"]
        return iterator

    def _read(self, shard_id: str, iterator: str) -> dict[str, Any]:
        try:
            reply: dict[str, Any] = self._streams.get_records(
                ShardIterator=iterator, Limit=BATCH_SIZE
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in _REOPEN_ON:
                raise
            reply = self._streams.get_records(
                ShardIterator=self._reopen(shard_id), Limit=BATCH_SIZE
            )
        return reply

    def _retry_from(self, shard_id: str, sequence_number: str) -> None:
        self._iterators[shard_id] = self._streams.get_shard_iterator(
            StreamArn=self.arn,
            ShardId=shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=sequence_number,
        )["ShardIterator"]

    def poll(self) -> int:
        """One pass over every open shard; the number of records projected."""
        self._discover()
        projected = 0
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:  # a closed shard, read to its end
                continue
            reply = self._read(shard_id, iterator)
            records = [lambda_record(r, self.arn) for r in reply.get("Records", [])]
            self._iterators[shard_id] = reply.get("NextShardIterator")
            if not records:
                continue
            failures = project(self._connections, records)["batchItemFailures"]
            sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
            # The projection stops at its first failure: the records before it are done.
            done = sequence.index(failures[0]["itemIdentifier"]) if failures else len(sequence)
            if failures:
                self._retry_from(shard_id, failures[0]["itemIdentifier"])
            if done > 0:
                self._last_read[shard_id] = sequence[done - 1]
            projected += len(records) - len(failures)
        return projected

    def drain(self) -> int:
        """Poll until a pass finds nothing new (tests: everything written so far is projected)."""
        total = 0
        while (found := self.poll()) > 0:
            total += found
        return total

    def start(self) -> CatalogStream:
        """Poll in a background thread until stop()."""

        def run() -> None:
            while not self._stop.is_set():
                try:
                    self.poll()
                except Exception:  # keep polling: the next pass retries from the same place
                    logger.exception("catalog stream poll failed")
                self._stop.wait(POLL_SECONDS)

        self._thread = threading.Thread(target=run, name="catalog-stream", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
