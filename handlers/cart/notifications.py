"""The notifications Lambda, fed by an SQS queue that an EventBridge rule fills with the order
events (OrderPaid, OrderExpired) of its region's bus: `lambda_handler` sends the shopper the
order confirmation or the expiry notice with SES v2.

Events arrive at least once (the outbox relay and SQS both may repeat one): each e-mail is
claimed first in the idempotency table under its event's outbox id (a conditional put), so a
repeat sends nothing. A message that fails is reported back alone (ReportBatchItemFailures)
and retried by SQS, then dead-lettered; its claim is released so the retry can send.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any, Final

import boto3
from botocore.exceptions import ClientError

from handlers.shared import env
from handlers.shared.money import shown_price
from handlers.shared.tables import IDEMPOTENCY

# A claim outlives SQS's retention (4 days by default) so a late repeat still finds it.
CLAIM_TTL_SECONDS: Final = 14 * 86400
_KEY: Final = IDEMPOTENCY.hash_key.name
_TTL: Final = IDEMPOTENCY.ttl_attribute or "expiration"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


def _amount(detail: dict[str, Any]) -> str:
    # An event without a currency gives the bare amount (strip() drops the no-break space).
    return shown_price(int(detail.get("total_minor", 0)), str(detail.get("currency", ""))).strip()


def compose(detail_type: str, detail: dict[str, Any]) -> Message | None:
    """The e-mail for an order event, or None for events nobody is told about."""
    order = detail.get("order_id", "")
    if detail_type == "OrderPaid":
        return Message(
            f"shop3d: order {order} confirmed",
            f"Thank you. We received your payment of {_amount(detail)} for order {order}.",
        )
    if detail_type == "OrderExpired":
        return Message(
            f"shop3d: order {order} expired",
            f"Order {order} was not paid in time, so its items were released. Nothing was"
            " charged; your cart is waiting if you want to check out again.",
        )
    return None


class Notifier:
    def __init__(self, ses: Any, dynamodb: Any, claims_table: str, sender: str) -> None:
        self._ses = ses
        self._dynamodb = dynamodb
        self._table = claims_table
        self._sender = sender

    def _claim(self, key: str) -> bool:
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item={_KEY: {"S": key}, _TTL: {"N": str(int(time.time()) + CLAIM_TTL_SECONDS)}},
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": _KEY},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _release(self, key: str) -> None:
        self._dynamodb.delete_item(TableName=self._table, Key={_KEY: {"S": key}})

    def handle(self, event: dict[str, Any]) -> str:
        """One EventBridge event: 'sent', or why nothing was sent."""
        detail = event.get("detail") or {}
        message = compose(str(event.get("detail-type")), detail)
        if message is None:
            return "not notified"
        address = detail.get("email")
        if not address:
            return "no address"
        key = f"notification#{detail.get('outbox_id')}"
        if not self._claim(key):
            return "already sent"
        try:
            self._ses.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [address]},
                Content={
                    "Simple": {
                        "Subject": {"Data": message.subject},
                        "Body": {"Text": {"Data": message.text}},
                    }
                },
            )
        except Exception:
            self._release(key)
            raise
        return "sent"

    def handle_batch(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        failures = []
        for record in records:
            try:
                self.handle(json.loads(record["body"]))
            except Exception:  # reported per message; SQS retries it alone
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}


_notifier: Notifier | None = None


def notifier() -> Notifier:
    global _notifier
    if _notifier is None:
        _notifier = Notifier(
            boto3.client("sesv2"),
            boto3.client("dynamodb"),
            os.environ[env.IDEMPOTENCY_TABLE],
            os.environ[env.ORDER_EMAIL_FROM],
        )
    return _notifier


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return notifier().handle_batch(event.get("Records", []))
