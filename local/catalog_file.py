"""The local platform's sample catalog file (local/catalog.json): products, prices, stock and
the real model each product's 3D asset is made from.

    {"models_dir": "<dir, relative to this file>", "seller": "<seller id in upload keys>",
     "products": [{"sku", "name", "description", "price_minor", "currency", "stock",
                   "model": "<file in models_dir>", "attribution": "<credit for the model>",
                   "category": "<one of handlers/cart/products/categories.py>"}]}

Every error names the file, the field and what is allowed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from handlers.asset.events import SKU_PATTERN
from handlers.asset.pipeline import SUPPORTED_SUFFIXES
from handlers.cart.products.categories import CATEGORIES
from local.servers import REPO_ROOT

DEFAULT_CATALOG: Final = REPO_ROOT / "local" / "catalog.json"


class CatalogFileError(ValueError):
    """The catalog file is missing or malformed: the message says where and what is allowed."""


class SampleProduct(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: Annotated[str, Field(pattern=SKU_PATTERN.pattern)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2000)] = ""
    price_minor: Annotated[int, Field(ge=0, strict=True)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]  # ISO 4217 code
    stock: Annotated[int, Field(ge=0, strict=True)]
    model: Annotated[str, Field(min_length=1)]
    attribution: Annotated[str, Field(min_length=1)]
    category: str | None = None

    @field_validator("category")
    @classmethod
    def _managed_category(cls, value: str | None) -> str | None:
        # The shop's one list: the admin API refuses others, and its edit form offers only these.
        if value is not None and value not in CATEGORIES:
            raise ValueError(f"{value[:40]!r} is not one of {', '.join(CATEGORIES)}")
        return value

    @field_validator("model")
    @classmethod
    def _supported_model(cls, value: str) -> str:
        suffix = value.rsplit(".", 1)[-1].lower() if "." in value else ""
        if "/" in value or suffix not in SUPPORTED_SUFFIXES:
            raise ValueError(
                f"must be a file name (no '/') ending in one of: {', '.join(SUPPORTED_SUFFIXES)}"
            )
        return value

    @property
    def shown_description(self) -> str:
        """The description with the model's credit: the attribution its licence asks for."""
        return f"{self.description} Model: {self.attribution}.".strip()


class SampleCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    models_dir: str
    seller: Annotated[str, Field(pattern=SKU_PATTERN.pattern)]
    products: Annotated[tuple[SampleProduct, ...], Field(min_length=1)]

    @field_validator("products")
    @classmethod
    def _unique_skus(cls, products: tuple[SampleProduct, ...]) -> tuple[SampleProduct, ...]:
        seen: set[str] = set()
        for product in products:
            if product.sku in seen:
                raise ValueError(f"SKU {product.sku!r} appears twice; each SKU once")
            seen.add(product.sku)
        return products


def _where(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def load_catalog(path: Path = DEFAULT_CATALOG) -> tuple[SampleCatalog, Path]:
    """The catalog and its models directory (checked: every model file exists)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogFileError(f"catalog file {path} does not exist") from None
    except json.JSONDecodeError as error:
        raise CatalogFileError(f"{path}: not valid JSON: {error}") from None
    try:
        catalog = SampleCatalog.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in error.errors())
        raise CatalogFileError(f"{path}: {problems}") from None
    models_dir = (path.parent / catalog.models_dir).resolve()
    missing = [p.model for p in catalog.products if not (models_dir / p.model).is_file()]
    if missing:
        raise CatalogFileError(
            f"{path}: model file(s) {', '.join(missing)} not found in models_dir {models_dir}"
        )
    return catalog, models_dir
