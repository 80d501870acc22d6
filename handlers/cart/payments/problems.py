"""What a shopper is told when Stripe refuses or fails a payment step: a problem in words, with
what to do next. Loaded only with the Stripe SDK (payments configured)."""

from __future__ import annotations

from typing import Final

import stripe

from handlers.cart.api.problems import Problem, invalid

_DECLINED: Final = "try another card; the order stays payable until its reservation ends"


def payment_problem(error: stripe.StripeError) -> Problem:
    """402 for a declined card (Stripe's reason named), 422 for a request Stripe refused (a bad
    or spent token), 503 for anything else (Stripe unreachable or failing: retry)."""
    if isinstance(error, stripe.CardError):
        reason = error.user_message or error.code
        return Problem(
            402,
            "payment-declined",
            f"the card was declined ({reason}): {_DECLINED}",
            decline_code=error.code,
        )
    if isinstance(error, stripe.InvalidRequestError):
        reason = error.user_message or "invalid request"
        return invalid(
            f"Stripe refused the payment ({reason}): send a new card token from Stripe.js for "
            "this order"
        )
    kind = type(error).__name__
    return Problem(
        503,
        "payment-provider-unavailable",
        f"the payment could not be sent to Stripe ({kind}); retry",
    )
