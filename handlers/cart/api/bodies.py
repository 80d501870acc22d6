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


# Accounts: the request limits of Cognito's API reference (Username 1-128, Password up to 256,
# Session 20-2048, ConfirmationCode 1-2048 non-space, UserCode 6 digits); Cognito enforces the
# pool's password policy itself.
Email = Annotated[str, Field(min_length=3, max_length=128, pattern=r"^[^@\s]{1,64}@[^@\s]{1,63}$")]
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


TotpDigits = Annotated[str, Field(pattern=r"^[0-9]{6}$")]


class TotpAnswer(_Strict):
    email: Email
    challenge: Annotated[str, Field(min_length=20, max_length=2048)]
    code: TotpDigits


class TotpCode(_Strict):
    code: TotpDigits


class ForgotPassword(_Strict):
    email: Email


class ResetPassword(_Strict):
    email: Email
    code: Code
    password: Password
