"""Request bodies (pydantic, strict: "1", true and 1.5 are not quantities) and response shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from handlers.cart.limits import (
    CARD_TOKEN_MAX_LENGTH,
    CARD_TOKEN_PATTERN,
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    LINE_SKU_MAX_LENGTH,
    LINE_SKU_PATTERN,
    MAX_QUANTITY,
    MIN_QUANTITY,
)

# A product's SKU, or a variant's `<sku>~<variant key>` (handlers/shared/variants.py).
LineSku = Annotated[
    str, Field(min_length=1, max_length=LINE_SKU_MAX_LENGTH, pattern=LINE_SKU_PATTERN)
]
Quantity = Annotated[int, Field(ge=MIN_QUANTITY, le=MAX_QUANTITY)]


class _Strict(BaseModel):
    # Unknown fields (a client-sent price or total) are ignored: prices are computed server side.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class AddItem(_Strict):
    sku: LineSku
    quantity: Quantity


class SetQuantity(_Strict):
    quantity: Quantity


# Accounts: the request limits of Cognito's API reference (Username 1-128, Password up to 256,
# Session 20-2048, ConfirmationCode 1-2048 non-space, UserCode 6 digits); Cognito enforces the
# pool's password policy itself.
# One address (checkout's and the accounts'); an account's is also Cognito's Username (<= 128).
Email = Annotated[str, Field(min_length=3, max_length=EMAIL_MAX_LENGTH, pattern=EMAIL_PATTERN)]
AccountEmail = Annotated[Email, Field(max_length=128)]
Password = Annotated[str, Field(min_length=8, max_length=256)]
# Cognito's ConfirmationCode / UserCode: 1-2048 non-space characters (API reference,
# ConfirmSignUp and ConfirmForgotPassword request parameters).
Code = Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^\S+$")]


class Credentials(_Strict):
    email: AccountEmail
    password: Password


class Confirmation(_Strict):
    email: AccountEmail
    code: Code


TotpDigits = Annotated[str, Field(pattern=r"^[0-9]{6}$")]


class TotpAnswer(_Strict):
    email: AccountEmail
    challenge: Annotated[str, Field(min_length=20, max_length=2048)]
    code: TotpDigits


class TotpCode(_Strict):
    code: TotpDigits


class ForgotPassword(_Strict):
    email: AccountEmail


class ResetPassword(_Strict):
    email: AccountEmail
    code: Code
    password: Password


class Checkout(_Strict):
    # Where the confirmation and expiry e-mails go (a guest has no other address on file).
    email: Email | None = None


class PayWithCard(_Strict):
    # The card as Stripe.js tokenized it in the browser: its number never reaches the shop.
    card_token: Annotated[
        str, Field(min_length=5, max_length=CARD_TOKEN_MAX_LENGTH, pattern=CARD_TOKEN_PATTERN)
    ]
