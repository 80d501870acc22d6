"""The product API's request bodies (pydantic, strict: "10" is not a price, 1.5 not a stock)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

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
from handlers.shared.variants import (
    MAX_VARIANTS,
    VARIANT_KEY_MAX_LENGTH,
    VARIANT_KEY_PATTERN,
    VARIANT_NAME_MAX_LENGTH,
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


class VariantSpec(_Strict):
    """A variant as the seller defines it: `name` is the model's KHR_materials_variants name
    the viewer shows for it; the price defaults to the product's; stock is its own."""

    key: Annotated[
        str, Field(min_length=1, max_length=VARIANT_KEY_MAX_LENGTH, pattern=VARIANT_KEY_PATTERN)
    ]
    name: Annotated[str, Field(min_length=1, max_length=VARIANT_NAME_MAX_LENGTH)]
    price_minor: PriceMinor | None = None
    stock: Stock = 0

    def stored(self) -> dict[str, Any]:
        """The catalog item's entry (stock lives in PostgreSQL, not here)."""
        entry: dict[str, Any] = {"key": self.key, "name": self.name}
        if self.price_minor is not None:
            entry["price_minor"] = self.price_minor
        return entry


Variants = Annotated[list[VariantSpec], Field(max_length=MAX_VARIANTS)]


def _distinct_keys(value: list[VariantSpec] | None) -> list[VariantSpec] | None:
    keys = [v.key for v in value or ()]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"variant keys must differ; repeated: {', '.join(repeated)}")
    return value


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
    variants: Variants = []
    # Admins only: whose product this is (a seller's Cognito sub); sellers create their own.
    seller: Annotated[str, Field(min_length=1, max_length=128)] | None = None

    _category = field_validator("category")(_managed_category)
    _variants = field_validator("variants")(_distinct_keys)


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
    # Replaces the whole list (an empty list: no variants any more).
    variants: Variants | None = None

    _variants = field_validator("variants")(_distinct_keys)

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
