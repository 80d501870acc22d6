"""The cart API's routes, on a Powertools Router so an API Gateway front can reuse them.

The owner of a cart always comes from the verified token or the signed guest cookie, never
from the body or the path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from handlers.cart.api.guest_cookie import COOKIE_NAME
from handlers.cart.api.owners import Owner
from handlers.cart.api.problems import invalid, not_found, unauthorized
from handlers.cart.api.request_body import parse_model
from handlers.cart.limits import GUEST_CART_TTL_DAYS, SKU_MAX_LENGTH, SKU_PATTERN
from handlers.cart.stores.idempotency_store import HEADER as IDEMPOTENCY_HEADER
from handlers.cart.stores.idempotency_store import Reply, Request

if TYPE_CHECKING:
    from handlers.cart.wiring import Services

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated
_SKU = re.compile(SKU_PATTERN)
JSON = "application/json"
_services: Services | None = None


def bind(services: Services) -> None:
    """Give the routes their collaborators (the Lambda module does this once at import)."""
    global _services
    _services = services


def _svc() -> Services:
    if _services is None:
        raise RuntimeError("routes are not bound to services; call routes.bind() first")
    return _services


bound_services = _svc  # for the other routers of this Lambda (admin_products)


# -- identity -------------------------------------------------------------------------------------
def _header(name: str) -> str | None:
    value: str | None = router.current_event.headers.get(name)  # case-insensitive
    return value


def _cookie(name: str) -> str | None:
    for part in (_header("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _user() -> Owner | None:
    authorization = _header("authorization")
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Authorization must be 'Bearer <access token>'")
    verifier = _svc().verifier
    if verifier is None:
        raise unauthorized("sign-in is not configured on this service; send no Authorization")
    return Owner("user", verifier.subject(token.strip()))


def _guest(create: bool) -> tuple[Owner | None, str | None]:
    """The guest from the signed cookie, or (if `create`) a new guest and its cookie value."""
    value = _cookie(COOKIE_NAME)
    if value is not None:
        return Owner("guest", _svc().cookies.guest_id(value)), None
    if not create:
        return None, None
    guest_id, new_value = _svc().cookies.new_value()
    return Owner("guest", guest_id), new_value


def _shopper() -> tuple[Owner, str | None]:
    user = _user()
    if user is not None:
        return user, None
    guest, new_cookie = _guest(create=True)
    assert guest is not None
    return guest, new_cookie


# -- responses ------------------------------------------------------------------------------------
def _cart_cookie(value: str, max_age: int) -> Cookie:
    return Cookie(
        name=COOKIE_NAME,
        value=value,
        path="/api",
        secure=True,
        http_only=True,
        same_site=SameSite.LAX_MODE,
        max_age=max_age,
    )


def _respond(reply: Reply) -> Response[str]:
    cookies = []
    if reply.get("cookie") is not None:
        cookies.append(_cart_cookie(reply["cookie"], GUEST_CART_TTL_DAYS * 86400))
    if reply.get("clear_cookie"):
        cookies.append(_cart_cookie("", 0))
    return Response(
        status_code=reply["status"],
        content_type=JSON,
        body=json.dumps(reply["body"]),
        cookies=cookies,
    )


def _mutating(owner: Owner, compute: Callable[[], Reply]) -> Response[str]:
    """Run a mutation once per Idempotency-Key (when the client sends one)."""
    key = _header(IDEMPOTENCY_HEADER)
    if key is None:
        return _respond(compute())
    event = router.current_event
    request = Request(owner.cart_id, event.http_method, event.path, event.decoded_body or "")
    return _respond(_svc().idempotency.run(key, request, compute, router.lambda_context))


def _sku(raw: str) -> str:
    """A path SKU, held to the body's rules (the same limits; no pydantic on read routes)."""
    if len(raw) > SKU_MAX_LENGTH or not _SKU.fullmatch(raw):
        raise invalid(
            f"{raw[:80]!r} is not a SKU: up to {SKU_MAX_LENGTH} letters, digits, '.', '_', '-'"
        )
    return raw


# -- routes ---------------------------------------------------------------------------------------
@router.get("/api/health")
def health() -> Response[str]:
    return _respond({"status": 200, "body": {"status": "ok", "region": _svc().settings.region}})


@router.get("/api/products")
def list_products() -> Response[str]:
    products = [p.public() for p in _svc().catalog.active_products()]
    return _respond({"status": 200, "body": {"products": products}})


@router.get("/api/products/<sku>")
def get_product(sku: str) -> Response[str]:
    product = _svc().catalog.product(_sku(sku))
    if product is None or not product.active:
        raise not_found(f"no product with SKU {sku!r}")
    return _respond({"status": 200, "body": product.public()})


@router.get("/api/cart")
def get_cart() -> Response[str]:
    owner, cookie = _shopper()
    return _respond({"status": 200, "body": _svc().carts.get(owner), "cookie": cookie})


@router.post("/api/cart/items")
def add_item() -> Response[str]:
    owner, cookie = _shopper()
    from handlers.cart.api.bodies import AddItem  # pydantic models: only body routes need them

    body = parse_model(router.current_event.decoded_body, AddItem)
    return _mutating(
        owner,
        lambda: {
            "status": 200,
            "body": _svc().carts.add(owner, body.sku, body.quantity),
            "cookie": cookie,
        },
    )


@router.put("/api/cart/items/<sku>")
def set_item(sku: str) -> Response[str]:
    owner, cookie = _shopper()
    checked = _sku(sku)
    from handlers.cart.api.bodies import SetQuantity

    body = parse_model(router.current_event.decoded_body, SetQuantity)
    return _mutating(
        owner,
        lambda: {
            "status": 200,
            "body": _svc().carts.set(owner, checked, body.quantity),
            "cookie": cookie,
        },
    )


@router.delete("/api/cart/items/<sku>")
def delete_item(sku: str) -> Response[str]:
    owner, cookie = _shopper()
    checked = _sku(sku)
    return _mutating(
        owner,
        lambda: {"status": 200, "body": _svc().carts.remove(owner, checked), "cookie": cookie},
    )


@router.post("/api/cart/merge")
def merge() -> Response[str]:
    user = _user()
    if user is None:
        raise unauthorized("merging needs a signed-in user: send 'Authorization: Bearer <token>'")
    guest, _ = _guest(create=False)

    def compute() -> Reply:
        if guest is None:  # nothing to merge: the user's cart as it is
            return {"status": 200, "body": {**_svc().carts.get(user), "not_merged": []}}
        body = _svc().carts.merge(user, guest)
        return {"status": 200, "body": body, "clear_cookie": True}

    return _mutating(user, compute)


@router.post("/api/checkout")
def checkout() -> Response[str]:
    owner, cookie = _shopper()

    def compute() -> Reply:
        status, order = _svc().orders.checkout(owner)
        return {"status": status, "body": order, "cookie": cookie}

    return _mutating(owner, compute)


@router.get("/api/orders/<order_id>")
def get_order(order_id: str) -> Response[str]:
    owner, cookie = _shopper()
    return _respond({"status": 200, "body": _svc().orders.get(owner, order_id), "cookie": cookie})
