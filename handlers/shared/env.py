"""Environment variable names the components set on the Lambda functions and the services read.

Handlers reach AWS only through these plus the standard AWS variables (AWS_REGION,
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, ...): there is no "local mode" in handler code.
"""

from __future__ import annotations

from typing import Final

CATALOG_TABLE: Final = "SHOP3D_CATALOG_TABLE"
CARTS_TABLE: Final = "SHOP3D_CARTS_TABLE"
SESSIONS_TABLE: Final = "SHOP3D_SESSIONS_TABLE"
IDEMPOTENCY_TABLE: Final = "SHOP3D_IDEMPOTENCY_TABLE"

UPLOADS_BUCKET: Final = "SHOP3D_UPLOADS_BUCKET"
ASSETS_BUCKET: Final = "SHOP3D_ASSETS_BUCKET"
# Public base URL under which published assets are served (CloudFront /assets/* in AWS).
ASSETS_BASE_URL: Final = "SHOP3D_ASSETS_BASE_URL"
# Inputs larger than this many bytes go to AWS Batch instead of the asset Lambda.
ASSET_BATCH_THRESHOLD_BYTES: Final = "SHOP3D_ASSET_BATCH_THRESHOLD_BYTES"
ASSET_BATCH_JOB_QUEUE: Final = "SHOP3D_ASSET_BATCH_JOB_QUEUE"
ASSET_BATCH_JOB_DEFINITION: Final = "SHOP3D_ASSET_BATCH_JOB_DEFINITION"
# Posters: the render job queue and definition the asset pipeline submits to after publishing;
# unset means no render jobs (the local platform renders in process instead).
RENDER_JOB_QUEUE: Final = "SHOP3D_RENDER_JOB_QUEUE"
RENDER_JOB_DEFINITION: Final = "SHOP3D_RENDER_JOB_DEFINITION"
# Set on the render job: gpu (Chromium on the instance's GPU) or cpu (SwiftShader).
RENDER_COMPUTE: Final = "SHOP3D_RENDER_COMPUTE"

# PostgreSQL (Aurora in AWS): a libpq URL, or the secret holding the credentials.
DATABASE_URL: Final = "SHOP3D_DATABASE_URL"
DATABASE_SECRET_ARN: Final = "SHOP3D_DATABASE_SECRET_ARN"
# The region's own cluster endpoint: the cart's is its cluster's reader endpoint (live in a
# secondary, which forwards writes to the current writer); the schema step's is the writer
# endpoint of the primary's cluster (the secret names it too; DDL is never forwarded).
DATABASE_HOST: Final = "SHOP3D_DATABASE_HOST"
# Search reads this region's reader endpoint (Aurora's read-only instances; in a secondary
# region the whole cluster is read-only), so search keeps working while another region is down.
# Unset: search uses DATABASE_HOST (locally: DATABASE_URL, the one server).
SEARCH_DATABASE_HOST: Final = "SHOP3D_SEARCH_DATABASE_HOST"
# Redis cache-aside for catalog reads; unset means no cache.
REDIS_URL: Final = "SHOP3D_REDIS_URL"
REDIS_AUTH_SECRET_ARN: Final = "SHOP3D_REDIS_AUTH_SECRET_ARN"

# Identity: the Cognito user pool the cart service trusts (locally: a pool in moto's Cognito).
AUTH_ISSUER: Final = "SHOP3D_AUTH_ISSUER"
AUTH_JWKS_URL: Final = "SHOP3D_AUTH_JWKS_URL"
AUTH_CLIENT_ID: Final = "SHOP3D_AUTH_CLIENT_ID"
# HMAC key of the guest cart cookie: the secret's ARN in AWS, or the key itself locally.
CART_COOKIE_SECRET_ARN: Final = "SHOP3D_CART_COOKIE_SECRET_ARN"
CART_COOKIE_KEY: Final = "SHOP3D_CART_COOKIE_KEY"

# The region this copy of a service runs in, and the cart home-region rule.
HOME_REGION: Final = "SHOP3D_HOME_REGION"

# The cart in AWS signs in to its region's cluster as this database user with an IAM auth token
# (signed per connection, so no password to go stale); DATABASE_HOST, DATABASE_PORT and
# DATABASE_NAME say where. Set instead of DATABASE_URL and DATABASE_SECRET_ARN.
DATABASE_IAM_USER: Final = "SHOP3D_DATABASE_IAM_USER"
DATABASE_PORT: Final = "SHOP3D_DATABASE_PORT"
DATABASE_NAME: Final = "SHOP3D_DATABASE_NAME"

# Product pages (handlers.pages): the built storefront whose index.html is the page shell, and
# the public origin canonical URLs name ("https://shop.example.com"; unset: the request's own).
STOREFRONT_DIR: Final = "SHOP3D_STOREFRONT_DIR"
SITE_URL: Final = "SHOP3D_SITE_URL"

# Payments: the Secrets Manager secret holding the Stripe keys ({"secret_key",
# "publishable_key", "webhook_secret"}), and Stripe's API base URL (unset in AWS: Stripe's own;
# locally the localstripe server).
STRIPE_SECRET_ARN: Final = "SHOP3D_STRIPE_SECRET_ARN"
STRIPE_API_BASE: Final = "SHOP3D_STRIPE_API_BASE"
# The Stripe.js URL the storefront loads (unset in AWS: js.stripe.com's, handlers.shared.stripe_js;
# locally localstripe's /js.stripe.com/v3/ stand-in).
STRIPE_JS_URL: Final = "SHOP3D_STRIPE_JS_URL"
# Minutes an unpaid order holds its stock before the expiry job returns it (stack key
# reservationMinutes).
RESERVATION_MINUTES: Final = "SHOP3D_RESERVATION_MINUTES"
# The region's EventBridge bus the outbox relay publishes order events to.
EVENT_BUS_NAME: Final = "SHOP3D_EVENT_BUS_NAME"
# Notifications: the SES v2 sender address (on the stack's verified domain identity).
ORDER_EMAIL_FROM: Final = "SHOP3D_ORDER_EMAIL_FROM"
