"""Request bodies (pydantic, strict: "1", true and 1.5 are not quantities) and response shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from handlers.cart.limits import MAX_QUANTITY, MIN_QUANTITY, SKU_MAX_LENGTH, SKU_PATTERN

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


# Accounts. Cognito enforces the password policy; these are only the outer limits.
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}$")]
Password = Annotated[str, Field(min_length=8, max_length=256)]
# Cognito's ConfirmationCode / UserCode: 1-2048 non-space characters (API reference,
# ConfirmSignUp and ConfirmForgotPassword request parameters).
Code = Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^\S+$")]


class Credentials(_Strict):
    email: Email
    password: Password


class Confirmation(_Strict):
    email: Email
    code: Code


class TotpAnswer(_Strict):
    email: Email
    challenge: Annotated[str, Field(min_length=1, max_length=4096)]
    code: Code


class TotpCode(_Strict):
    code: Code


class ForgotPassword(_Strict):
    email: Email


class ResetPassword(_Strict):
    email: Email
    code: Code
    password: Password
