"""Typed, bounds-checked reads of glTF JSON fields: every failure names the field."""

from __future__ import annotations

from typing import Any

from handlers.asset.errors import AssetRejected


def array(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise AssetRejected(f"glTF '{key}' must be an array")
    return value


def obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AssetRejected(f"{what} must be an object")
    return value


def index(value: Any, length: int, what: str) -> int:
    """An index into an array of `length` items."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < length:
        raise AssetRejected(f"{what} is {value!r}, not an index below {length}")
    return value


def natural(value: Any, what: str, *, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise AssetRejected(f"{what} must be a non-negative integer, got {value!r}")
    return value


def item(doc: dict[str, Any], key: str, idx: Any, what: str) -> dict[str, Any]:
    """doc[key][idx] as an object, with `what` naming the referring field."""
    items = array(doc, key)
    return obj(items[index(idx, len(items), what)], f"{key}[{idx}]")
