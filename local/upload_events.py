"""Lambda's SQS event source mapping, locally: a thread that receives a queue's messages (the
upload queue's for the asset handler, the notifications queue's for the notifications handler),
hands them to the real handler as an SQS event, and deletes the ones the handler did not report
as failed (partial batch response), exactly as Lambda does.

Failed messages become visible again after the queue's visibility timeout and move to the
dead-letter queue after resources.MAX_RECEIVES receives.

moto's S3 notifications leave out `versionId`, which S3 sends for a versioned bucket; the pump
adds the object's current version (`with_version_ids`), so the asset service tells a replaced
model from a duplicate delivery here as it does in AWS.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError

from local.lambda_runtime import LambdaContext, asset_context, sqs_event, sqs_record
from local.resources import Queue

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

logger = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any], Any], Any]
BATCH_SIZE: Final = 10  # SQS's maximum per receive, and Lambda's default batch size
WAIT_SECONDS: Final = 1  # long polling; also bounds how long stop() waits


def with_version_ids(body: str, s3: S3Client) -> str:
    """`body` with each S3 record's missing `versionId` set to the object's current version.
    Should the key be overwritten again before this runs, both events name the newest version
    and the newest model is processed once. Bodies that are not S3 events, and objects already
    gone, are left as they are."""
    try:
        event = json.loads(body)
    except ValueError:
        return body
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        return body
    changed = False
    for record in records:
        found = record.get("s3", {}) if isinstance(record, dict) else {}
        obj, bucket = found.get("object", {}), found.get("bucket", {}).get("name")
        if not bucket or "key" not in obj or obj.get("versionId"):
            continue
        try:
            head = s3.head_object(Bucket=bucket, Key=unquote_plus(obj["key"]))
        except ClientError:
            continue  # deleted since: the handler reports the missing object itself
        if head.get("VersionId"):
            obj["versionId"] = head["VersionId"]
            changed = True
    return json.dumps(event) if changed else body


def received_event(
    messages: list[MessageTypeDef], queue_arn: str, s3: S3Client | None = None
) -> dict[str, Any]:
    """The event Lambda builds from received SQS messages (with `s3`: S3 records completed
    with their version ids, see `with_version_ids`)."""
    return sqs_event(
        sqs_record(
            with_version_ids(m["Body"], s3) if s3 else m["Body"],
            queue_arn,
            message_id=m["MessageId"],
            receipt_handle=m["ReceiptHandle"],
            attributes=m.get("Attributes", {}),
            message_attributes=m.get("MessageAttributes", {}),
        )
        for m in messages
    )


class UploadEventPump:
    """Start with start(); stop() returns once the batch in hand is finished."""

    def __init__(
        self,
        sqs: SQSClient,
        queue: Queue,
        handler: Handler,
        after_batch: Callable[[], None] = lambda: None,
        s3: S3Client | None = None,
        *,
        context: Callable[[], LambdaContext] = asset_context,
        name: str = "upload-events",
    ) -> None:
        self._sqs = sqs
        self._s3 = s3  # completes moto's S3 records with their version ids
        self._queue = queue
        self._handler = handler
        self._after_batch = after_batch  # e.g. save newly published assets
        self._context = context  # the Lambda context of the handler's function
        self._name = name
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.error: BaseException | None = None  # what stopped the pump, if it failed

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def poll_once(self) -> int:
        """One receive and one handler call; returns how many messages were received."""
        received = self._sqs.receive_message(
            QueueUrl=self._queue.url,
            MaxNumberOfMessages=BATCH_SIZE,
            WaitTimeSeconds=WAIT_SECONDS,
            AttributeNames=["All"],
        )
        messages = received.get("Messages", [])
        if not messages:
            return 0
        try:
            response = self._handler(
                received_event(messages, self._queue.arn, self._s3),
                self._context(),
            )
        except Exception:  # as in Lambda: an invocation error fails the whole batch
            logger.exception("the %s handler failed; the batch will be received again", self._name)
            return len(messages)
        failed = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        self._after_batch()
        return len(messages)

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                self.poll_once()
        except BaseException as error:  # reported by the platform, which then stops
            self.error = error
