"""Bad input, each its own test: a clear 4xx problem document, never a 500, nothing written."""

from __future__ import annotations

import json

import pytest

from handlers.cart.limits import MAX_BODY_BYTES

BAD_QUANTITIES = {
    "negative": "-1",
    "zero": "0",
    "fraction": "1.5",
    "string": '"1"',
    "boolean": "true",
    "two_to_the_31": str(2**31),
    "overflowing_float": "1e999",
    "nan": "NaN",
}


@pytest.fixture
def guest(client, shop):
    shop.product("BOLT-7", 250)
    cookie = client.call("POST", "/api/cart/items", {"sku": "BOLT-7", "quantity": 1}).cookie()
    assert cookie is not None
    return cookie


def _assert_problem(reply, status: int, *fragments: str) -> None:
    assert reply.status == status, reply.body
    assert reply.content_type == "application/problem+json"
    assert set(reply.body) >= {"type", "title", "status", "detail"}
    assert reply.body["status"] == status
    for fragment in fragments:
        assert fragment in reply.body["detail"], reply.body["detail"]


def _assert_unchanged(client, cookie) -> None:
    lines = client.call("GET", "/api/cart", cookie=cookie).body["lines"]
    assert [(line["sku"], line["quantity"]) for line in lines] == [("BOLT-7", 1)]


@pytest.mark.parametrize("raw", BAD_QUANTITIES.values(), ids=BAD_QUANTITIES.keys())
def test_bad_quantity_on_add(client, guest, raw):
    body = f'{{"sku": "BOLT-7", "quantity": {raw}}}'
    reply = client.call("POST", "/api/cart/items", raw=body, cookie=guest)
    assert reply.status in (400, 422)
    _assert_problem(reply, reply.status)
    assert "quantit" in reply.body["detail"]
    _assert_unchanged(client, guest)


@pytest.mark.parametrize("raw", BAD_QUANTITIES.values(), ids=BAD_QUANTITIES.keys())
def test_bad_quantity_on_set(client, guest, raw):
    body = f'{{"quantity": {raw}}}'
    reply = client.call("PUT", "/api/cart/items/BOLT-7", raw=body, cookie=guest)
    assert reply.status in (400, 422)
    _assert_problem(reply, reply.status, "quantit")
    _assert_unchanged(client, guest)


def test_out_of_range_quantity_names_the_allowed_range(client, guest):
    reply = client.call("PUT", "/api/cart/items/BOLT-7", {"quantity": 100}, cookie=guest)
    _assert_problem(reply, 422, "quantity", "99")


def test_duplicate_json_keys(client, guest):
    raw = '{"sku": "BOLT-7", "quantity": 1, "quantity": 50}'
    reply = client.call("POST", "/api/cart/items", raw=raw, cookie=guest)
    _assert_problem(reply, 400, "duplicate JSON key 'quantity'")
    _assert_unchanged(client, guest)


def test_oversized_body(client, guest):
    raw = json.dumps({"sku": "BOLT-7", "quantity": 1, "note": "x" * MAX_BODY_BYTES})
    reply = client.call("POST", "/api/cart/items", raw=raw, cookie=guest)
    _assert_problem(reply, 413, f"at most {MAX_BODY_BYTES}")
    _assert_unchanged(client, guest)


def test_base64_body_from_the_alb_is_decoded(client, guest):
    reply = client.call(
        "POST", "/api/cart/items", raw=b'{"sku": "BOLT-7", "quantity": 2}', cookie=guest
    )
    assert reply.status == 200 and reply.body["lines"][0]["quantity"] == 3


def test_not_json(client, guest):
    reply = client.call("POST", "/api/cart/items", raw="sku=BOLT-7&quantity=1", cookie=guest)
    _assert_problem(reply, 400, "not valid JSON")


def test_not_an_object(client, guest):
    reply = client.call("POST", "/api/cart/items", raw="[1, 2]", cookie=guest)
    _assert_problem(reply, 422, "JSON object")


def test_missing_fields(client, guest):
    reply = client.call("POST", "/api/cart/items", {"quantity": 1}, cookie=guest)
    _assert_problem(reply, 422, "sku")
    assert reply.body["errors"][0]["field"] == "sku"


def test_bad_sku_in_path(client, guest):
    reply = client.call("PUT", "/api/cart/items/%3Cscript%3E", {"quantity": 1}, cookie=guest)
    _assert_problem(reply, 422, "is not a SKU")


def test_removing_a_sku_not_in_the_cart(client, guest):
    reply = client.call("DELETE", "/api/cart/items/OTHER-1", cookie=guest)
    _assert_problem(reply, 404, "not in this cart")


def test_bad_idempotency_key(client, guest):
    reply = client.call(
        "POST",
        "/api/cart/items",
        {"sku": "BOLT-7", "quantity": 1},
        cookie=guest,
        headers={"idempotency-key": "x" * 500},
    )
    _assert_problem(reply, 400, "Idempotency-Key")
    _assert_unchanged(client, guest)


# -- bodies that are not UTF-8: the ALB hands them over base64-encoded ---------------------------
NOT_UTF8 = {
    "xff": b'\xff{"sku": "BOLT-7", "quantity": 1}',
    "utf16_with_bom": '{"sku": "BOLT-7", "quantity": 1}'.encode("utf-16"),
    "latin1": '{"sku": "BOLT-7", "quantity": 1, "note": "café"}'.encode("latin-1"),
}


@pytest.mark.parametrize("raw", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_a_body_that_is_not_utf8_is_refused_on_add(client, guest, raw):
    reply = client.call("POST", "/api/cart/items", raw=raw, cookie=guest)
    _assert_problem(reply, 400, "not UTF-8")
    _assert_unchanged(client, guest)


@pytest.mark.parametrize("raw", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_a_body_that_is_not_utf8_is_refused_on_set(client, guest, raw):
    reply = client.call("PUT", "/api/cart/items/BOLT-7", raw=raw, cookie=guest)
    _assert_problem(reply, 400, "not UTF-8")
    _assert_unchanged(client, guest)


def test_utf16_without_a_bom_is_not_json(client, guest):
    raw = '{"sku": "BOLT-7", "quantity": 1}'.encode("utf-16-le")  # valid UTF-8: NULs
    reply = client.call("POST", "/api/cart/items", raw=raw, cookie=guest)
    _assert_problem(reply, 400, "not valid JSON")
    _assert_unchanged(client, guest)


IDEMPOTENT_ROUTES = {
    "delete": ("DELETE", "/api/cart/items/BOLT-7"),
    "checkout": ("POST", "/api/checkout"),
    "add": ("POST", "/api/cart/items"),
}


@pytest.mark.parametrize("route", IDEMPOTENT_ROUTES.values(), ids=IDEMPOTENT_ROUTES.keys())
def test_a_body_that_is_not_utf8_is_refused_with_an_idempotency_key(client, guest, route):
    method, path = route
    key = {"idempotency-key": f"not-utf8-{method}-{path}"}
    reply = client.call(method, path, raw=b"\xff\xfe\x00", cookie=guest, headers=key)
    _assert_problem(reply, 400, "not UTF-8")
    _assert_unchanged(client, guest)


def test_a_body_that_is_not_utf8_is_refused_on_merge_with_an_idempotency_key(client, guest, issuer):
    token = issuer.token("merge-bytes@example.com").access_token
    key = {"idempotency-key": "merge-not-utf8"}
    reply = client.call(
        "POST", "/api/cart/merge", raw=b"\xff", token=token, cookie=guest, headers=key
    )
    _assert_problem(reply, 400, "not UTF-8")
    _assert_unchanged(client, guest)


@pytest.mark.parametrize(
    "signature", ["é" * 43, "\u2603", "abc\u00ff"], ids=["e_acute", "snowman", "y_umlaut"]
)
def test_a_cart_cookie_whose_signature_is_not_ascii_is_refused(client, guest, signature):
    guest_id = guest.partition(".")[0]
    reply = client.call("GET", "/api/cart", cookie=f"{guest_id}.{signature}")
    _assert_problem(reply, 401, "shop3d_cart")


NOT_JSON_TYPES = {
    "text_plain": "text/plain",
    "latin1_text": "text/plain;charset=latin1",
    "octet_stream": "application/octet-stream",
    "form": "application/x-www-form-urlencoded",
    "multipart": "multipart/form-data; boundary=x",
    "json_in_latin1": "application/json; charset=iso-8859-1",
    "json_upper_case": "Application/JSON",  # the resolver matches lower case only
}
BODY_ROUTES = {  # one route of each kind: validated by Powertools, parsed by the route itself
    "add_item": ("POST", "/api/cart/items", {"sku": "BOLT-7", "quantity": 1}),
    "set_item": ("PUT", "/api/cart/items/BOLT-7", {"quantity": 3}),
    "sign_in": ("POST", "/api/account/sign-in", {"email": "a@example.com", "password": "x" * 12}),
    "sign_up": ("POST", "/api/account/sign-up", {"email": "a@example.com", "password": "x" * 12}),
    "checkout": ("POST", "/api/checkout", {"email": "a@example.com"}),
    "pay": ("POST", "/api/orders/o-1/payment", {"card_token": "tok_visa"}),
    "admin_create": ("POST", "/api/admin/products", {"sku": "NEW-1"}),
    "admin_patch": ("PATCH", "/api/admin/products/BOLT-7", {"name": "x"}),
}


@pytest.mark.parametrize("sent", NOT_JSON_TYPES.values(), ids=NOT_JSON_TYPES.keys())
@pytest.mark.parametrize("route", BODY_ROUTES.values(), ids=BODY_ROUTES.keys())
def test_a_body_not_sent_as_json_is_a_415_naming_json(client, guest, sent, route):
    method, path, body = route
    reply = client.call(
        method, path, raw=json.dumps(body), cookie=guest, headers={"content-type": sent}
    )
    _assert_problem(reply, 415, "send the body as application/json")
    assert reply.body["accepted"] == ["application/json"]
    assert reply.headers["Accept"] == "application/json"
    if method in ("POST", "PATCH"):
        assert reply.headers[f"Accept-{method.title()}"] == "application/json"
    _assert_unchanged(client, guest)


def test_a_form_that_would_validate_is_still_a_415(client, guest):
    reply = client.call(
        "POST",
        "/api/cart/items",
        raw="sku=BOLT-7&quantity=2",
        cookie=guest,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    _assert_problem(reply, 415, "application/x-www-form-urlencoded")
    _assert_unchanged(client, guest)


@pytest.mark.parametrize("sent", ["application/json; charset=utf-8", "application/json", ""])
def test_json_spelled_any_allowed_way_is_taken(client, guest, sent):
    reply = client.call(
        "PUT",
        "/api/cart/items/BOLT-7",
        {"quantity": 2},
        cookie=guest,
        headers={"content-type": sent},
    )
    assert reply.status == 200, reply.body


def test_the_webhook_reads_its_own_body_whatever_its_type(client):
    # Its signature covers the raw bytes: no signature is a 401 however the body is labelled.
    reply = client.call(
        "POST", "/api/payments/webhook", raw="{}", headers={"content-type": "text/plain"}
    )
    assert reply.status != 415
    assert reply.status < 500, reply.body
