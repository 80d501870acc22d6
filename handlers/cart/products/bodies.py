"""The product API's request bodies (pydantic, strict: "10" is not a price, 1.5 not a stock)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from handlers.cart.limits import SKU_MAX_LENGTH, SKU_PATTERN
from handlers.cart.products.categories import CATEGORIES
from handlers.cart.products.limits import (
    DESCRIPTION_MAX_LENGTH,
    DIMENSION_MAX_MM,
    DIMENSION_MIN_MM,
    FILE_NAME_MAX_LENGTH,
    FILE_NAME_PATTERN,
    NAME_MAX_LENGTH,
    PART_MAX_BYTES,
    PART_MIN_BYTES,
    PRICE_MAX_MINOR,
    STOCK_MAX,
    UPLOAD_MAX_BYTES,
    UPLOAD_SUFFIXES,
)

Sku = Annotated[str, Field(min_length=1, max_length=SKU_MAX_LENGTH, pattern=SKU_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH)]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)]
PriceMinor = Annotated[int, Field(ge=0, le=PRICE_MAX_MINOR)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Stock = Annotated[int, Field(ge=0, le=STOCK_MAX)]
Millimetres = Annotated[int, Field(ge=DIMENSION_MIN_MM, le=DIMENSION_MAX_MM)]
Status = Literal["draft", "active", "archived"]
STATUSES: tuple[Status, ...] = ("draft", "active", "archived")


class _Strict(BaseModel):
    # Unknown fields are refused: a misspelt field silently ignored is a lost edit.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Dimensions(_Strict):
    """Width, height and depth of the real product, in millimetres."""

    width: Millimetres
    height: Millimetres
    depth: Millimetres


def _managed_category(value: str) -> str:
    if value not in CATEGORIES:
        raise ValueError(f"unknown category {value[:40]!r}; allowed: {', '.join(CATEGORIES)}")
    return value


class ProductCreate(_Strict):
    sku: Sku
    name: Name
    description: Description = ""
    category: str
    price_minor: PriceMinor
    currency: Currency
    stock: Stock = 0
    dimensions_mm: Dimensions | None = None
    status: Status = "draft"
    # Admins only: whose product this is (a seller's Cognito sub); sellers create their own.
    seller: Annotated[str, Field(min_length=1, max_length=128)] | None = None

    _category = field_validator("category")(_managed_category)


class ProductUpdate(_Strict):
    """A partial update: the fields sent replace the stored ones."""

    name: Name | None = None
    description: Description | None = None
    category: str | None = None
    price_minor: PriceMinor | None = None
    currency: Currency | None = None
    stock: Stock | None = None
    dimensions_mm: Dimensions | None = None
    status: Status | None = None

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        return None if value is None else _managed_category(value)


class UploadStart(_Strict):
    file_name: Annotated[
        str, Field(min_length=1, max_length=FILE_NAME_MAX_LENGTH, pattern=FILE_NAME_PATTERN)
    ]
    size: Annotated[int, Field(ge=1, le=UPLOAD_MAX_BYTES)]
    part_size: Annotated[int, Field(ge=PART_MIN_BYTES, le=PART_MAX_BYTES)] | None = None

    @field_validator("file_name")
    @classmethod
    def _model_type(cls, value: str) -> str:
        suffix = value.rpartition(".")[2].lower() if "." in value else ""
        if suffix not in UPLOAD_SUFFIXES:
            raise ValueError(
                f"file type {suffix or '(none)'!r} is not a model the asset service reads;"
                f" allowed: {', '.join(UPLOAD_SUFFIXES)}"
            )
        return value


class UploadComplete(_Strict):
    upload_id: Annotated[str, Field(min_length=1, max_length=1024)]
