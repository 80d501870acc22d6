"""The order jobs Lambda, run by EventBridge Scheduler in the Aurora writer's region (every
minute): expire unpaid orders past their reservation, then relay the outbox. Locally the
platform runs the same `lambda_handler` on a timer. Safe to run twice at once (both steps take
rows with SKIP LOCKED)."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

from handlers.cart.expiry import expire_due
from handlers.cart.outbox_relay import relay
from handlers.cart.settings import Settings
from handlers.cart.wiring import Services

logger = Logger(service="order-jobs")
_services: Services | None = None


def services() -> Services:
    global _services
    if _services is None:
        _services = Services.from_settings(Settings.from_env(os.environ))
    return _services


def run_jobs(svc: Services) -> dict[str, int]:
    conn = svc.connections.get()
    expired = expire_due(conn)
    published = 0
    if svc.settings.event_bus_name is not None:
        published = relay(conn, svc.events, svc.settings.event_bus_name)
    return {"expired": expired.expired, "batches": expired.batches, "published": published}


@logger.inject_lambda_context
def lambda_handler(event: Any, context: Any) -> dict[str, int]:
    result = run_jobs(services())
    logger.info("order jobs ran", extra=result)
    return result
