"""The admin product API under /api/admin/: sellers manage their own products, admins all.

Every route verifies the bearer token and its Cognito group first (products/access.py); a
product of another seller is a 404. Updates and archiving need `If-Match: "<version>"` (the
ETag of the last read): a lost race is a 412 naming the current version, a missing If-Match a
428. Stock goes to PostgreSQL in the same request, ordered by the catalog version, so a retry
is harmless. Model uploads are S3 multipart uploads the browser sends straight to the bucket.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from handlers.cart.accounts.sessions import COOKIE_NAME as SESSION_COOKIE
from handlers.cart.api import routes
from handlers.cart.api.problems import Problem, bad_request, invalid, not_found, unauthorized
from handlers.cart.api.request_body import parse_admin_body
from handlers.cart.api.responses import ADMIN_ERRORS, AdminDocument, documented
from handlers.cart.limits import SKU_MAX_LENGTH, SKU_PATTERN
from handlers.cart.products.access import Staff
from handlers.cart.products.categories import CATEGORIES
from handlers.cart.products.editing import apply_update, write_variant_stock
from handlers.cart.products.limits import (
    CURSOR_MAX_LENGTH,
    LIST_DEFAULT_LIMIT,
    LIST_MAX_LIMIT,
    MAX_BODY_BYTES,
)
from handlers.cart.stores.product_store import (
    ListQuery,
    digest,
    dimensions_m,
    index_for,
    public_view,
)
from handlers.cart.stores.upload_store import PendingUpload, Uploads
from handlers.shared import env
from handlers.shared.variants import line_sku

if TYPE_CHECKING:
    from handlers.cart.products.bodies import ProductUpdate
    from handlers.cart.wiring import Services

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated
JSON = "application/json"
_SKU = re.compile(SKU_PATTERN)
_VERSION = re.compile(r'^(?:W/)?"?(\d{1,18})"?$')
_STATUSES = ("draft", "active", "archived")


def _svc() -> Services:
    return routes.bound_services()


def _header(name: str) -> str | None:
    value: str | None = router.current_event.headers.get(name)
    return value


def _session_token() -> str | None:
    """The access token of the browser's session (backend-for-frontend: the browser holds only
    the HttpOnly session cookie; the tokens stay server-side)."""
    for part in (_header("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == SESSION_COOKIE and value:
            return _svc().accounts.current(value).tokens.access_token
    return None


def _staff() -> Staff:
    authorization = _header("authorization")
    if authorization is None:
        session_token = _session_token()
        if session_token is None:
            raise unauthorized(
                "the admin API needs a signed-in session or 'Authorization: Bearer <access token>'"
            )
        authorization = f"Bearer {session_token}"
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Authorization must be 'Bearer <access token>'")
    verifier = _svc().verifier
    if verifier is None:
        raise unauthorized("sign-in is not configured on this service")
    return Staff.from_token(verifier.verify(token.strip()))


def _sku(raw: str) -> str:
    if len(raw) > SKU_MAX_LENGTH or not _SKU.fullmatch(raw):
        raise invalid(
            f"{raw[:80]!r} is not a SKU: up to {SKU_MAX_LENGTH} letters, digits, '.', '_', '-'"
        )
    return raw


def _visible(staff: Staff, sku: str) -> dict[str, Any]:
    """The product, if this caller may see it; another seller's is as missing as no product."""
    item = _svc().products.get(_sku(sku))
    if item is None or not staff.may_see(item.get("seller")):
        raise not_found(f"no product with SKU {sku!r} among yours")
    return item


def _if_match() -> int:
    raw = _header("if-match")
    if raw is None:
        raise Problem(
            428,
            "precondition-required",
            "send If-Match with the ETag of the product as you read it (its version)",
        )
    match = _VERSION.fullmatch(raw.strip())
    if match is None:
        raise bad_request(f"If-Match {raw[:40]!r} is not a product version such as '\"3\"'")
    return int(match.group(1))


def _query(name: str) -> str | None:
    params = router.current_event.query_string_parameters or {}
    value = params.get(name)
    # ALB hands query values over as sent, still percent-encoded.
    return unquote_plus(value) if value else None


def _reply(status: int, body: Any, etag_version: int | None = None) -> Response[str]:
    headers = {"ETag": f'"{etag_version}"'} if etag_version is not None else {}
    return Response(status_code=status, content_type=JSON, body=json.dumps(body), headers=headers)


def _document(item: dict[str, Any]) -> dict[str, Any]:
    document = public_view(item)
    for variant in document["variants"]:
        variant["stock"] = _svc().stock_of(line_sku(item["sku"], variant["key"]))
    return {**document, "stock": _svc().stock_of(item["sku"])}


def _uploads() -> Uploads:
    uploads = _svc().uploads
    if uploads is None:
        raise Problem(
            503, "not-configured", f"model uploads are not configured: {env.UPLOADS_BUCKET} unset"
        )
    return uploads


# -- products ------------------------------------------------------------------------------------
@router.get("/api/admin/categories", responses=documented(AdminDocument, *ADMIN_ERRORS))
def categories() -> Response[str]:
    _staff()
    return _reply(200, {"categories": list(CATEGORIES)})


@router.get("/api/admin/products", responses=documented(AdminDocument, *ADMIN_ERRORS))
def list_products() -> Response[str]:
    staff = _staff()
    status, category, seller = _query("status"), _query("category"), _query("seller")
    if status is not None and status not in _STATUSES:
        raise invalid(f"status {status[:20]!r} is not one of {', '.join(_STATUSES)}")
    if category is not None and category not in CATEGORIES:
        raise invalid(f"category {category[:40]!r} is not one of {', '.join(CATEGORIES)}")
    if not staff.is_admin:
        if seller is not None and seller != staff.subject:
            raise Problem(
                403, "forbidden", "a seller lists its own products only; leave out 'seller'"
            )
        seller = staff.subject
    raw_limit = _query("limit") or str(LIST_DEFAULT_LIMIT)
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= LIST_MAX_LIMIT:
        raise invalid(f"limit must be an integer from 1 to {LIST_MAX_LIMIT}")
    cursor = _query("cursor")
    if cursor is not None and len(cursor) > CURSOR_MAX_LENGTH:
        raise bad_request("cursor is too long: pass next_cursor as is")
    index, key = index_for(seller=seller, status=status or "active", category=category)
    query = ListQuery(
        index,
        key,
        int(raw_limit),
        cursor,
        # The seller index holds every status and category: those two are filters there.
        status=status if seller is not None else None,
        category=category if seller is not None else None,
    )
    items, next_cursor = _svc().products.page(query)
    return _reply(200, {"products": [public_view(i) for i in items], "next_cursor": next_cursor})


@router.post("/api/admin/products", responses=documented(AdminDocument, *ADMIN_ERRORS, 409, ok=201))
def create_product() -> Response[str]:
    staff = _staff()
    from handlers.cart.products.bodies import ProductCreate

    body = parse_admin_body(router.current_event, ProductCreate, MAX_BODY_BYTES)
    seller = staff.owner_for_new(body.seller)
    fields = body.model_dump(exclude={"seller", "stock", "dimensions_mm", "variants"})
    fields["dimensions_m"] = dimensions_m(
        body.dimensions_mm.model_dump() if body.dimensions_mm else None
    )
    fields["variants"] = [v.stored() for v in body.variants]
    request_digest = digest({"create": body.model_dump(), "seller": seller})
    item = _svc().products.create(fields, seller, request_digest)
    _svc().write_stock(item["sku"], body.stock, int(item["version"]))
    write_variant_stock(_svc(), item, body.variants)
    return _reply(201, _document(item), int(item["version"]))


@router.get("/api/admin/products/<sku>", responses=documented(AdminDocument, *ADMIN_ERRORS))
def read_product(sku: str) -> Response[str]:
    item = _visible(_staff(), sku)
    return _reply(200, _document(item), int(item["version"]))


def _apply(staff: Staff, sku: str, update: ProductUpdate, expected: int) -> Response[str]:
    item = apply_update(_svc(), _visible(staff, sku), update, expected)
    return _reply(200, _document(item), int(item["version"]))


@router.patch(
    "/api/admin/products/<sku>", responses=documented(AdminDocument, *ADMIN_ERRORS, 409, 412, 428)
)
def update_product(sku: str) -> Response[str]:
    staff = _staff()
    from handlers.cart.products.bodies import ProductUpdate

    expected = _if_match()
    update = parse_admin_body(router.current_event, ProductUpdate, MAX_BODY_BYTES)
    if not update.model_fields_set:
        raise invalid("the update changes nothing: send at least one field")
    return _apply(staff, sku, update, expected)


@router.delete(
    "/api/admin/products/<sku>", responses=documented(AdminDocument, *ADMIN_ERRORS, 409, 412, 428)
)
def archive_product(sku: str) -> Response[str]:
    """Archive (products are never deleted: orders keep naming them)."""
    staff = _staff()
    from handlers.cart.products.bodies import ProductUpdate

    return _apply(staff, sku, ProductUpdate(status="archived"), _if_match())


# -- uploads -------------------------------------------------------------------------------------
def _pending(item: dict[str, Any]) -> PendingUpload:
    record = item.get("pending_upload")
    if not isinstance(record, dict):
        raise not_found(f"product {item['sku']!r} has no upload in progress: start one")
    return PendingUpload.from_record(record)


@router.post(
    "/api/admin/products/<sku>/uploads",
    responses=documented(AdminDocument, *ADMIN_ERRORS, 409, ok=201),
)
def start_upload(sku: str) -> Response[str]:
    staff = _staff()
    from handlers.cart.products.bodies import UploadStart

    item = _visible(staff, sku)
    body = parse_admin_body(router.current_event, UploadStart, MAX_BODY_BYTES)
    uploads = _uploads()
    previous = item.get("pending_upload")
    if isinstance(previous, dict):  # one upload per product: a new one replaces the old
        uploads.abort(PendingUpload.from_record(previous))
    upload = uploads.start(item["seller"], item["sku"], body.file_name, body.size, body.part_size)
    _svc().products.set_upload(item["sku"], upload.record())
    return _reply(201, uploads.plan(upload))


@router.get(
    "/api/admin/products/<sku>/uploads/current",
    responses=documented(AdminDocument, *ADMIN_ERRORS, 409),
)
def resume_upload(sku: str) -> Response[str]:
    """The upload in progress: parts S3 has, and fresh URLs for the others (resume)."""
    item = _visible(_staff(), sku)
    return _reply(200, _uploads().plan(_pending(item)))


@router.post(
    "/api/admin/products/<sku>/uploads/current/complete",
    responses=documented(AdminDocument, *ADMIN_ERRORS, 409),
)
def complete_upload(sku: str) -> Response[str]:
    staff = _staff()
    from handlers.cart.products.bodies import UploadComplete

    item = _visible(staff, sku)
    body = parse_admin_body(router.current_event, UploadComplete, MAX_BODY_BYTES)
    upload = _pending(item)
    if body.upload_id != upload.upload_id:
        raise Problem(409, "conflict", "that upload was replaced by a newer one for this product")
    _uploads().complete(upload)
    _svc().products.mark_uploaded(item["sku"])
    return _reply(200, public_view(_visible(staff, sku)))


@router.delete(
    "/api/admin/products/<sku>/uploads/current", responses=documented(AdminDocument, *ADMIN_ERRORS)
)
def abort_upload(sku: str) -> Response[str]:
    item = _visible(_staff(), sku)
    _uploads().abort(_pending(item))
    _svc().products.set_upload(item["sku"], None)
    return _reply(200, public_view(_visible(_staff(), sku)))
