"""Rows of a catalog file, each validated on its own with the API's own body model, so a file
with bad rows imports its good ones and reports every bad one (row number, field, why).

CSV columns: sku, name, description, category, price_minor, currency, stock, status,
width_mm, height_mm, depth_mm, model (a path, relative to the file, of the model to upload).
JSON: a list of objects with the same fields (dimensions as width_mm/height_mm/depth_mm or
a dimensions_mm object)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from handlers.cart.products.bodies import ProductCreate

INTEGER_COLUMNS = ("price_minor", "stock", "width_mm", "height_mm", "depth_mm")
DIMENSION_COLUMNS = ("width_mm", "height_mm", "depth_mm")
KNOWN_COLUMNS = frozenset(
    ("sku", "name", "description", "category", "currency", "status", "model", *INTEGER_COLUMNS)
)
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Row:
    number: int  # 1 = the first product (CSV: the line after the header)
    product: ProductCreate
    model: Path | None


@dataclass(frozen=True)
class Rejected:
    number: int
    sku: str | None
    reasons: tuple[str, ...]


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _records(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        document = json.loads(text)
        if not isinstance(document, list):
            raise ValueError(f"{path}: a JSON catalog is a list of product objects")
        return document
    if path.suffix.lower() == ".csv":
        return list(csv.DictReader(text.splitlines()))
    raise ValueError(f"{path}: a catalog file is .csv or .json")


def _coerce(record: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """CSV gives strings: integer columns become ints (a non-integer is a reason, not a crash)."""
    reasons = [
        f"unknown column {k!r}" for k in record if k not in KNOWN_COLUMNS and k != "dimensions_mm"
    ]
    body: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or value == "" or key in ("model", *DIMENSION_COLUMNS):
            continue
        if key in INTEGER_COLUMNS and isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                reasons.append(f"{key}: {value[:40]!r} is not a whole number")
                continue
        body[key] = value
    dims = {k: record.get(k) for k in DIMENSION_COLUMNS if record.get(k) not in (None, "")}
    if dims:
        try:
            body["dimensions_mm"] = {k[: -len("_mm")]: int(str(v)) for k, v in dims.items()}
        except ValueError:
            reasons.append("width_mm/height_mm/depth_mm must be whole millimetres")
    return body, reasons


def parse(path: Path) -> Parsed:
    records = _records(path)
    if len(records) > MAX_ROWS:
        raise ValueError(f"{path}: {len(records)} rows; at most {MAX_ROWS} per import")
    parsed = Parsed()
    seen: set[str] = set()
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            parsed.rejected.append(Rejected(number, None, ("a row must be an object",)))
            continue
        sku = record.get("sku") if isinstance(record.get("sku"), str) else None
        body, reasons = _coerce(record)
        try:
            product = ProductCreate.model_validate(body, strict=True)
        except ValidationError as error:
            reasons += [
                f"{'.'.join(str(p) for p in e['loc']) or '(row)'}: {e['msg']}"
                for e in error.errors(include_url=False, include_input=False)
            ]
            product = None
        model = None
        if isinstance(record.get("model"), str) and record["model"]:
            model = (path.parent / record["model"]).resolve()
            if not model.is_file():
                reasons.append(f"model: no file {record['model']!r} next to the catalog")
        if sku is not None and sku in seen:
            reasons.append(f"sku: {sku!r} appears on an earlier row")
        if sku is not None:
            seen.add(sku)
        if reasons or product is None:
            parsed.rejected.append(Rejected(number, sku, tuple(reasons)))
        else:
            parsed.rows.append(Row(number, product, model))
    return parsed
