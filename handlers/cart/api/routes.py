"""The cart API's routes, on a Powertools Router so an API Gateway front can reuse them.

The owner of a cart always comes from the verified token or the signed guest cookie, never
from the body or the path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from handlers.cart.accounts.sessions import COOKIE_NAME as SESSION_COOKIE
from handlers.cart.api import responses as documented
from handlers.cart.api.bodies import AddItem, PayWithCard, SetQuantity
from handlers.cart.api.guest_cookie import COOKIE_NAME
from handlers.cart.api.owners import Owner
from handlers.cart.api.problems import Problem, invalid, not_found, unauthorized
from handlers.cart.api.request_body import body_text, parse_model
from handlers.cart.limits import (
    GUEST_CART_TTL_DAYS,
    LINE_SKU_MAX_LENGTH,
    LINE_SKU_PATTERN,
    MAX_WEBHOOK_BODY_BYTES,
    SKU_MAX_LENGTH,
    SKU_PATTERN,
)
from handlers.cart.stores.idempotency_store import HEADER as IDEMPOTENCY_HEADER
from handlers.cart.stores.idempotency_store import Reply, Request
from handlers.shared.routes import WEBHOOK_PATH

if TYPE_CHECKING:
    from handlers.cart.wiring import Services

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated
_SKU = re.compile(SKU_PATTERN)
_LINE_SKU = re.compile(LINE_SKU_PATTERN)
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
    """The signed-in user: a bearer token, else the session cookie (backend-for-frontend:
    the browser holds only the session id; its tokens stay in the sessions table)."""
    authorization = _header("authorization")
    if authorization is None:
        session_id = _cookie(SESSION_COOKIE)
        if session_id is None:
            return None
        return Owner("user", _svc().accounts.current(session_id).sub)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Authorization must be 'Bearer <access token>'")
    verifier = _svc().verifier
    if verifier is None:
        raise unauthorized("sign-in is not configured on this service; send no Authorization")
    return Owner("user", verifier.subject(token.strip()))


def _account_email() -> str | None:
    """A signed-in browser's account address, where its order e-mails go when checkout names
    none (its session holds it; Cognito access tokens carry no e-mail claim, so a bearer-token
    client names the address in the checkout body)."""
    session_id = _cookie(SESSION_COOKIE)
    if _header("authorization") is not None or session_id is None:
        return None
    return _svc().accounts.current(session_id).email


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
def api_cookie(name: str, value: str, max_age: int) -> Cookie:
    """A cookie only the API reads: HttpOnly (no script sees it), Secure, SameSite=Lax."""
    return Cookie(
        name=name,
        value=value,
        path="/api",
        secure=True,
        http_only=True,
        same_site=SameSite.LAX_MODE,
        max_age=max_age,
    )


def _cart_cookie(value: str, max_age: int) -> Cookie:
    return api_cookie(COOKIE_NAME, value, max_age)


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


def _shopper_reads(read: Callable[[Owner], Any]) -> Response[str]:
    """A read for the shopper (token, session or guest cookie): 200 with what `read` returns."""
    owner, cookie = _shopper()
    return _respond({"status": 200, "body": read(owner), "cookie": cookie})


def _mutating(owner: Owner, compute: Callable[[], Reply]) -> Response[str]:
    """Run a mutation once per Idempotency-Key (when the client sends one)."""
    key = _header(IDEMPOTENCY_HEADER)
    if key is None:
        return _respond(compute())
    event = router.current_event
    request = Request(owner.cart_id, event.http_method, event.path, body_text(event))
    return _respond(_svc().idempotency.run(key, request, compute, router.lambda_context))


def _sku(raw: str) -> str:
    """A path SKU, held to the body's rules (the same limits; no pydantic on read routes)."""
    if len(raw) > SKU_MAX_LENGTH or not _SKU.fullmatch(raw):
        raise invalid(
            f"{raw[:80]!r} is not a SKU: up to {SKU_MAX_LENGTH} letters, digits, '.', '_', '-'"
        )
    return raw


def _line_sku(raw: str) -> str:
    """A cart line's path SKU: a product's, or a variant's `<sku>~<variant key>`."""
    if len(raw) > LINE_SKU_MAX_LENGTH or not _LINE_SKU.fullmatch(raw):
        raise invalid(
            f"{raw[:100]!r} is not a SKU: a product's (letters, digits, '.', '_', '-'),"
            f" optionally '~' and a variant key (lower-case words and hyphens); up to"
            f" {LINE_SKU_MAX_LENGTH} characters"
        )
    return raw


# -- routes ---------------------------------------------------------------------------------------
@router.get(
    "/api/health",
    summary="Liveness and the serving region",
    responses=documented.documented(documented.Health),
)
def health() -> Response[str]:
    return _respond({"status": 200, "body": {"status": "ok", "region": _svc().settings.region}})


@router.get(
    "/api/products",
    summary="The active products",
    responses=documented.documented(documented.Products),
)
def list_products() -> Response[str]:
    products = _svc().carts.public(_svc().catalog.active_products())
    return _respond({"status": 200, "body": {"products": products}})


@router.get(
    "/api/products/<sku>",
    summary="One active product",
    responses=documented.documented(documented.Product, 404, 422),
)
def get_product(sku: str) -> Response[str]:
    product = _svc().catalog.product(_sku(sku))
    if product is None or not product.active:
        raise not_found(f"no product with SKU {sku!r}")
    return _respond({"status": 200, "body": _svc().carts.public([product])[0]})


@router.get(
    "/api/cart",
    summary="The shopper's cart (a guest cookie is set when there is none)",
    responses=documented.documented(documented.Cart, 401),
)
def get_cart() -> Response[str]:
    owner, cookie = _shopper()
    return _respond({"status": 200, "body": _svc().carts.get(owner), "cookie": cookie})


@router.post(
    "/api/cart/items",
    summary="Add a quantity of a product to the cart",
    responses=documented.documented(documented.Cart, 401, 409, 413, 422),
)
def add_item(body: Annotated[AddItem, Body()]) -> Response[str]:
    owner, cookie = _shopper()
    return _mutating(
        owner,
        lambda: {
            "status": 200,
            "body": _svc().carts.add(owner, body.sku, body.quantity),
            "cookie": cookie,
        },
    )


@router.put(
    "/api/cart/items/<sku>",
    summary="Set the quantity of a product in the cart",
    responses=documented.documented(documented.Cart, 401, 404, 409, 413, 422),
)
def set_item(sku: str, body: Annotated[SetQuantity, Body()]) -> Response[str]:
    owner, cookie = _shopper()
    checked = _line_sku(sku)
    return _mutating(
        owner,
        lambda: {
            "status": 200,
            "body": _svc().carts.set(owner, checked, body.quantity),
            "cookie": cookie,
        },
    )


@router.delete(
    "/api/cart/items/<sku>",
    summary="Remove a product from the cart",
    responses=documented.documented(documented.Cart, 401, 404, 409, 422),
)
def delete_item(sku: str) -> Response[str]:
    owner, cookie = _shopper()
    checked = _line_sku(sku)
    return _mutating(
        owner,
        lambda: {"status": 200, "body": _svc().carts.remove(owner, checked), "cookie": cookie},
    )


@router.post(
    "/api/cart/merge",
    summary="Merge the guest cart into the signed-in user's, once",
    responses=documented.documented(documented.MergedCart, 401, 409),
)
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


@router.post(
    "/api/checkout",
    summary="Place an order from the cart",
    responses=documented.documented(documented.Order, 401, 409, 422, 503, ok=201),
)
def checkout() -> Response[str]:
    owner, cookie = _shopper()
    raw = body_text(router.current_event)  # decoded_body would raise on non-UTF-8: a 500
    email = None
    if raw.strip():
        from handlers.cart.api.bodies import Checkout

        email = parse_model(raw, Checkout).email
    email = email or _account_email()

    def compute() -> Reply:
        status, order = _svc().orders.checkout(owner, email)
        return {"status": status, "body": order, "cookie": cookie}

    response = _mutating(owner, compute)
    _svc().relay_outbox()
    return response


@router.get(
    "/api/orders",
    summary="The signed-in shopper's orders, most recent first, a page at a time (?before=next)",
    responses=documented.documented(documented.OrderList, 400, 401, 503),
)
def list_orders() -> Response[str]:
    user = _user()
    if user is None:
        raise unauthorized("listing orders needs a signed-in user: send a Bearer token")
    before = (router.current_event.query_string_parameters or {}).get("before")
    return _respond({"status": 200, "body": _svc().orders.list(user, before)})


@router.get(
    "/api/orders/<order_id>",
    summary="One of the shopper's orders",
    responses=documented.documented(documented.Order, 401, 404, 503),
)
def get_order(order_id: str) -> Response[str]:
    return _shopper_reads(lambda owner: _svc().orders.get(owner, order_id))


@router.post(
    "/api/orders/<order_id>/cancel",
    summary="Cancel an unpaid order: its stock comes back",
    responses=documented.documented(documented.Order, 401, 404, 409, 422, 503),
)
def cancel_order(order_id: str) -> Response[str]:
    owner, cookie = _shopper()
    response = _mutating(
        owner,
        lambda: {"status": 200, "body": _svc().orders.cancel(owner, order_id), "cookie": cookie},
    )
    _svc().relay_outbox()
    return response


@router.get(
    "/api/orders/<order_id>/payment",
    summary="The payment step of an unpaid order: its PaymentIntent's client secret and keys",
    responses=documented.documented(documented.OrderPayment, 401, 404, 409, 503),
)
def get_payment(order_id: str) -> Response[str]:
    return _shopper_reads(lambda owner: _svc().orders.payment(owner, order_id))


@router.post(
    "/api/orders/<order_id>/payment",
    summary="Pay an unpaid order with a card token from Stripe.js (PAID follows by webhook)",
    responses=documented.documented(documented.PaymentAttempt, 401, 402, 404, 409, 422, 503),
)
def pay_order(order_id: str, body: Annotated[PayWithCard, Body()]) -> Response[str]:
    owner, cookie = _shopper()
    token = body.card_token
    return _mutating(
        owner,
        lambda: {
            "status": 200,
            "body": _svc().orders.pay(owner, order_id, token),
            "cookie": cookie,
        },
    )


@router.post(
    WEBHOOK_PATH,
    summary="Stripe's signed event deliveries (each event applied once)",
    responses=documented.documented(documented.WebhookReceipt, 401, 413, 422, 503),
)
def payments_webhook() -> Response[str]:
    """Stripe's deliveries: no shopper, no cookie; the signature is the authentication."""
    try:
        raw = router.current_event.decoded_body or ""
    except UnicodeDecodeError:
        raise invalid("a webhook body is JSON in UTF-8; this one is not UTF-8") from None
    payload = raw.encode()
    if len(payload) > MAX_WEBHOOK_BODY_BYTES:
        raise Problem(
            413, "payload-too-large", f"a webhook body is at most {MAX_WEBHOOK_BODY_BYTES} bytes"
        )
    outcome = _svc().webhook.receive(payload, _header("stripe-signature"))
    if outcome.applied:
        _svc().relay_outbox()
    return _respond({"status": 200, "body": outcome.body()})
