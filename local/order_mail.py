"""The order e-mails, locally: what a cell builds in AWS (components/cell/orders.py) on moto. A
rule on the local bus sends OrderPaid and OrderExpired to a queue (with its dead-letter queue);
a pump (local.upload_events.UploadEventPump, Lambda's event source mapping) hands its messages
to the real notifications handler, which sends through moto's SES v2 from a verified domain.

moto keeps the sent messages in memory; tests read them from its /moto-api/data.json.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError

from handlers.shared import env
from handlers.shared.order_events import notification_pattern
from local.lambda_runtime import ACCOUNT_ID
from local.resources import AwsEndpoints, Queue, ensure_queue, let_service_send

# RFC 2606 reserves .test: no mail could leave for a real domain even if moto sent any.
MAIL_DOMAIN: Final = "shop3d.test"
SENDER: Final = f"orders@{MAIL_DOMAIN}"  # the cell's SENDER_LOCAL_PART on the stack's domain
RULE_SUFFIX: Final = "notifications"
TARGET_ID: Final = "notifications-queue"


@dataclass(frozen=True)
class OrderMail:
    queue: Queue
    sender: str = SENDER

    def environment(self) -> dict[str, str]:
        return {env.ORDER_EMAIL_FROM: self.sender}


def ensure_order_mail(endpoints: AwsEndpoints, prefix: str, bus: str) -> OrderMail:
    """The notifications queue, the bus rule that fills it, and the sender's SES identity."""
    sqs = endpoints.sqs_client()
    queue = ensure_queue(sqs, f"{prefix}{RULE_SUFFIX}")
    events = endpoints.events_client()
    rule = f"{prefix}{RULE_SUFFIX}"
    let_service_send(sqs, queue, "events.amazonaws.com", _rule_arn(endpoints, bus, rule))
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=notification_pattern())
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": TARGET_ID, "Arn": queue.arn}])
    _ensure_identity(endpoints.sesv2_client(), MAIL_DOMAIN)
    return OrderMail(queue)


def _rule_arn(endpoints: AwsEndpoints, bus: str, rule: str) -> str:
    # moto's default account, as local.lambda_runtime names it.
    return f"arn:aws:events:{endpoints.region}:{ACCOUNT_ID}:rule/{bus}/{rule}"


def _ensure_identity(ses: Any, domain: str) -> None:
    try:
        ses.create_email_identity(EmailIdentity=domain)
    except ClientError as error:
        if error.response["Error"]["Code"] != "AlreadyExistsException":
            raise


def sent_mail(moto_endpoint: str) -> list[dict[str, Any]]:
    """The messages moto's SES accepted (source, destinations, subject, body), oldest first:
    its /moto-api/data.json, the one place moto shows them (SES has no API that lists mail)."""
    url = f"{moto_endpoint.rstrip('/')}/moto-api/data.json"
    if not url.startswith(("http://127.", "http://localhost")):
        raise ValueError(f"{moto_endpoint} is not a local moto server")
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310  # checked above
        data = json.loads(answer.read())
    messages: list[dict[str, Any]] = data.get("ses", {}).get("Message", [])
    return messages
