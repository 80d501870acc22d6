"""The response shapes, as pydantic models for the OpenAPI document only (the routes build plain
dicts). `extra="allow"`: a documented shape may grow fields without breaking clients."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from handlers.cart.api.problems import PROBLEM_CONTENT_TYPE


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Health(_Open):
    status: Literal["ok"]
    region: str


class Asset(_Open):
    status: str
    manifest_url: str | None


class ProductVariant(_Open):
    """One variant: bought under its own line SKU, at its own price, stocked on its own."""

    key: str
    name: str
    sku: str
    price_minor: int
    availability: str | None


class Product(_Open):
    sku: str
    name: str
    description: str
    price_minor: int
    currency: str
    asset: Asset
    variants: list[ProductVariant]


class Products(_Open):
    products: list[Product]
    next_cursor: str | None  # pass as `cursor` for the next page; None on the last page


class LineVariant(_Open):
    key: str
    name: str


class Line(_Open):
    sku: str
    name: str
    variant: LineVariant | None
    quantity: int
    unit_price_minor: int
    line_total_minor: int


class Cart(_Open):
    cart_id: str
    version: int
    currency: str | None
    total_minor: int
    lines: list[Line]


class MergedCart(Cart):
    not_merged: list[Any]


class Order(_Open):
    order_id: str
    status: str
    currency: str
    total_minor: int
    lines: list[Line]


class OrderPayment(_Open):
    """The payment step's data: the order and its `payment` (client secret, publishable key,
    the Stripe.js URL to load)."""

    order_id: str
    status: str
    payment: dict[str, Any] | None


class PaymentAttempt(_Open):
    order_id: str
    intent_status: str  # succeeded/processing: wait for PAID; requires_action: 3-D Secure


class Accepted(_Open):
    status: str


class SearchFacets(_Open):
    categories: dict[str, int]
    price_bands: list[dict[str, int | None]]
    exact: bool  # false: counts of the first matches only (a lower bound)


class SearchResults(_Open):
    results: list[dict[str, Any]]
    next_cursor: str | None
    facets: SearchFacets
    sort: str


class WebhookReceipt(_Open):
    received: bool
    event_id: str | None = None
    result: str | None = None


class Account(_Open):
    sub: str
    email: str


class SignedIn(_Open):
    """Signed in (sub, email; the session cookie is set), or a TOTP step to answer."""

    sub: str | None = None
    email: str | None = None
    mfa: Literal["totp"] | None = None
    challenge: str | None = None


class TotpSecret(_Open):
    secret: str
    otpauth_uri: str


class OrderSummary(_Open):
    order_id: str
    status: str
    currency: str
    total_minor: int
    payment_status: str | None = None
    created_at: str


class OrderList(_Open):
    orders: list[OrderSummary]
    next: str | None  # the cursor of the next page (?before=), None on the last


class ProblemDocument(_Open):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str


_REASONS = {
    400: "malformed request (body not UTF-8 or not strict JSON, bad Idempotency-Key)",
    401: "a token or cart cookie that does not verify",
    404: "no such resource for this shopper",
    405: "method not allowed on this path (see Allow)",
    402: "the card was declined (the order stays payable until its reservation ends)",
    409: "conflict (a concurrent change, or a duplicate still in progress)",
    413: "request body too large",
    415: "request body not sent as application/json (see Accept-Post / Accept-Patch)",
    403: "the account must be confirmed (or its password reset) first; admin API: not in a group",
    422: "the body or a path parameter breaks a rule",
    429: "too many attempts: retry later",
    412: "If-Match names an older version of the product (current_version says which)",
    428: "If-Match is required: the version the edit is based on",
    502: "the identity service failed",
    503: "a dependency is not configured or not reachable",
}


def reason(status: int) -> str:
    """What a problem with this status means on this API (the OpenAPI responses' description)."""
    return _REASONS[status]


def documented(model: type[BaseModel], *statuses: int, ok: int = 200) -> dict[int, Any]:
    """The `responses=` of a route: `model` on success, a problem document for each status."""
    answers: dict[int, Any] = {
        ok: {"description": "success", "content": {"application/json": {"model": model}}}
    }
    for status in (400, 405, *statuses):
        answers[status] = {
            "description": _REASONS[status],
            "content": {PROBLEM_CONTENT_TYPE: {"model": ProblemDocument}},
        }
    return answers


class AdminDocument(BaseModel):
    """An admin product API answer (docs/sellers.md: products, pages, upload plans)."""

    model_config = ConfigDict(extra="allow")


# Every admin route: its token or session (401), its group (403), the product (404).
ADMIN_ERRORS = (401, 403, 404, 413, 422, 503)
