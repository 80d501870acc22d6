"""Strict JSON request bodies: strictly UTF-8, size-capped, no duplicate keys, no NaN/Infinity,
an object. The resolver deserializes bodies with `json_object`, then validates them against the
routes' pydantic models (Powertools' validation); `validation_problem` words its errors."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from handlers.cart.api.problems import Problem, bad_request, invalid
from handlers.cart.limits import MAX_BODY_BYTES

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
    from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound="BaseModel")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise bad_request(f"duplicate JSON key {key!r}: each key may appear once")
        seen[key] = value
    return seen


def _reject_constant(name: str) -> Any:
    raise bad_request(f"{name} is not a JSON number: quantities are integers")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise bad_request(f"number {text[:32]} is out of range: quantities are integers")
    return value


def _too_large(size: int, limit: int = MAX_BODY_BYTES) -> Problem:
    return Problem(413, "body-too-large", f"request body is {size} bytes; at most {limit}")


def body_text(event: BaseProxyEvent, max_bytes: int = MAX_BODY_BYTES) -> str:
    """The request body as text: base64 undone (the ALB encodes bodies it does not take for
    text), then strictly UTF-8, the only encoding JSON may be exchanged in (RFC 8259 8.1).
    Powertools' `decoded_body` raises UnicodeDecodeError instead: a 500."""
    raw = event.body or ""
    if not event.is_base64_encoded:
        return raw
    try:
        data = base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise bad_request("request body is marked base64 but is not valid base64") from None
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    return _utf8(data)


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise bad_request(
            f"request body is not UTF-8 (byte {error.start} is {data[error.start]:#04x}):"
            " send JSON encoded as UTF-8"
        ) from None


def parse_json(raw: bytes | str | None, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """Parse a request body as strict JSON, or raise a 400/413 problem saying why not."""
    text = _utf8(raw) if isinstance(raw, bytes) else (raw or "")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise _too_large(size, max_bytes)
    if not text.strip():
        raise bad_request("request body is empty: a JSON object is required")
    try:
        # Parsed as text: json.loads on bytes would guess UTF-16/32 and take them.
        return json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise bad_request(f"request body is not valid JSON: {error}") from None
    except RecursionError:
        raise bad_request("request body nests too deeply") from None


def json_object(text: str) -> dict[str, Any]:
    """The resolver's body deserializer: strict JSON, and an object (every body is one)."""
    document = parse_json(text)
    if not isinstance(document, dict):
        raise invalid("request body must be a JSON object")
    return document


def validation_problem(errors: Sequence[Any]) -> Problem:
    """One 422 problem for the resolver's validation errors, each naming its field: `sku`,
    `quantity` in the body, `path.sku` for a path parameter."""
    found = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if location[:1] == ["body"]:
            location = location[1:]
        found.append({"field": ".".join(location) or "(body)", "message": str(error.get("msg"))})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in found)
    return invalid(f"request is invalid: {summary}", errors=found)


def parse_model(text: str, model: type[ModelT]) -> ModelT:
    """An optional body the resolver does not validate (checkout's): strict JSON into `model`,
    validation failures as one 422 problem."""
    from pydantic import ValidationError

    try:
        return model.model_validate(json_object(text), strict=True)
    except ValidationError as error:
        raise validation_problem(error.errors(include_url=False, include_input=False)) from None


def parse_admin_body(event: BaseProxyEvent, model: type[ModelT], max_bytes: int) -> ModelT:
    """The body of `event` validated into `model` (strict), for routes whose bodies are larger
    than the resolver's limit (the admin product API); failures are one 422 naming the fields."""
    document = parse_json(body_text(event, max_bytes), max_bytes)
    if not isinstance(document, dict):
        raise invalid("request body must be a JSON object")
    from pydantic import ValidationError

    try:
        return model.model_validate(document, strict=True)
    except ValidationError as error:
        raise validation_problem(error.errors(include_url=False, include_input=False)) from None
