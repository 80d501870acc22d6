"""Request bodies (pydantic, strict: "1", true and 1.5 are not quantities) and response shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from handlers.cart.limits import (
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    MAX_QUANTITY,
    MIN_QUANTITY,
    SKU_MAX_LENGTH,
    SKU_PATTERN,
)

Sku = Annotated[str, Field(min_length=1, max_length=SKU_MAX_LENGTH, pattern=SKU_PATTERN)]
Quantity = Annotated[int, Field(ge=MIN_QUANTITY, le=MAX_QUANTITY)]


class _Strict(BaseModel):
    # Unknown fields (a client-sent price or total) are ignored: prices are computed server side.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class AddItem(_Strict):
    sku: Sku
    quantity: Quantity


class SetQuantity(_Strict):
    quantity: Quantity


class Checkout(_Strict):
    # Where the confirmation and expiry e-mails go (a guest has no other address on file).
    email: Annotated[str, Field(max_length=EMAIL_MAX_LENGTH, pattern=EMAIL_PATTERN)] | None = None
