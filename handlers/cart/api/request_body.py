"""Strict JSON request bodies: size-capped, no duplicate keys, no NaN/Infinity, then pydantic.

pydantic is imported on the first body parsed: read-only requests never load it."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, TypeVar

from handlers.cart.api.problems import Problem, bad_request, invalid
from handlers.cart.limits import MAX_BODY_BYTES

if TYPE_CHECKING:
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


def parse_json(raw: bytes | str | None, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """Parse a request body as strict JSON, or raise a 400/413 problem saying why not."""
    data = raw.encode() if isinstance(raw, str) else (raw or b"")
    if len(data) > max_bytes:
        raise Problem(
            413, "body-too-large", f"request body is {len(data)} bytes; at most {max_bytes}"
        )
    if not data.strip():
        raise bad_request("request body is empty: a JSON object is required")
    try:
        return json.loads(
            data,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise bad_request(f"request body is not valid JSON: {error}") from None
    except RecursionError:
        raise bad_request("request body nests too deeply") from None


def parse_model(
    raw: bytes | str | None, model: type[ModelT], max_bytes: int = MAX_BODY_BYTES
) -> ModelT:
    """Parse and validate a body into `model`; validation failures become one 422 problem."""
    from pydantic import ValidationError

    document = parse_json(raw, max_bytes)
    if not isinstance(document, dict):
        raise invalid("request body must be a JSON object")
    try:
        return model.model_validate(document, strict=True)
    except ValidationError as error:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise invalid(f"request body is invalid: {summary}", errors=errors) from None
