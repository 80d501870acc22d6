"""How the services' Lambda functions are sized: the cells deploy them with these, and the
local platform hands the handlers a context with the same timeouts (Powertools idempotency
reads the remaining time)."""

from __future__ import annotations

from typing import Final

# ALB waits at most this for the cart Lambda; checkout's one transaction fits well within it.
CART_TIMEOUT_SECONDS: Final = 15
CART_MEMORY_MB: Final = 1024
# The cart's schema step runs DDL under an advisory lock once per deploy: small, not hurried.
CART_SCHEMA_TIMEOUT_SECONDS: Final = 120
CART_SCHEMA_MEMORY_MB: Final = 256
ASSET_TIMEOUT_SECONDS: Final = 300
ASSET_MEMORY_MB: Final = 3008
# Cognito waits 5 seconds for a trigger (fixed, not configurable) and fails the sign-in after.
COGNITO_TRIGGER_WAIT_SECONDS: Final = 5
PRE_TOKEN_TIMEOUT_SECONDS: Final = COGNITO_TRIGGER_WAIT_SECONDS
# boto3's import is most of the trigger's cold start; more memory is more CPU for it.
PRE_TOKEN_MEMORY_MB: Final = 512
# The order jobs (expiry, outbox sweep) run every minute; a run does at most
# handlers.cart.expiry.MAX_BATCHES batches, far under this.
ORDER_JOBS_TIMEOUT_SECONDS: Final = 120
ORDER_JOBS_MEMORY_MB: Final = 512
ORDER_JOBS_HANDLER: Final = "handlers.cart.jobs_lambda.lambda_handler"
# SQS-fed: a batch of ten e-mails through SES v2.
NOTIFICATIONS_TIMEOUT_SECONDS: Final = 30
NOTIFICATIONS_MEMORY_MB: Final = 256
NOTIFICATIONS_HANDLER: Final = "handlers.cart.notifications.lambda_handler"
# The search projection: the catalog stream's consumer in the primary region (its event source
# mapping hands it up to this many records a batch; the local stream poller reads as many).
SEARCH_PROJECTION_HANDLER: Final = "handlers.cart.search_projection.lambda_handler"
SEARCH_PROJECTION_BATCH_SIZE: Final = 100
SEARCH_PROJECTION_TIMEOUT_SECONDS: Final = 60
SEARCH_PROJECTION_MEMORY_MB: Final = 256
