"""Stripe through the official SDK: the account's keys from Secrets Manager and the three calls
the shop makes (create a PaymentIntent, read one, confirm one with the shopper's card token,
refund one).

The secret is a JSON object {"secret_key", "publishable_key", "webhook_secret"}, read once per
container and read again once when Stripe refuses the key (AuthenticationError: the key was
rolled after it was read). Amounts always come from the order, never from a client. Every
write carries an idempotency key derived from the order id, so a retried checkout or a
retried refund never charges or refunds twice (Stripe keeps idempotency keys for 24 hours:
https://docs.stripe.com/api/idempotent_requests).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import stripe

from handlers.cart.settings import ConfigError, parse_json_secret
from handlers.cart.stores.credentials import CachedSecret
from handlers.shared.stripe_js import STRIPE_JS_URL

T = TypeVar("T")
# A Lambda behind an ALB has seconds: Stripe's own retries (network errors, 409 lock timeouts,
# 5xx) are the SDK's, bounded here.
MAX_NETWORK_RETRIES: Final = 2
_KEY_FIELDS: Final = ("secret_key", "publishable_key", "webhook_secret")


@dataclass(frozen=True)
class StripeKeys:
    secret_key: str
    publishable_key: str
    webhook_secret: str

    @classmethod
    def parse(cls, text: str, arn: str) -> StripeKeys:
        document = parse_json_secret(text, arn)
        missing = [name for name in _KEY_FIELDS if not isinstance(document.get(name), str)]
        if missing:
            raise ConfigError(f"the Stripe secret {arn} lacks {', '.join(missing)} (strings)")
        return cls(*(document[name] for name in _KEY_FIELDS))


@dataclass(frozen=True)
class Intent:
    """What the shop keeps of a PaymentIntent."""

    id: str
    client_secret: str
    status: str
    amount: int
    currency: str


def intent_idempotency_key(order_id: uuid.UUID) -> str:
    return f"shop3d-order-{order_id}-intent"


def refund_idempotency_key(order_id: uuid.UUID) -> str:
    return f"shop3d-order-{order_id}-refund"


def _intent(obj: Any) -> Intent:
    return Intent(obj.id, obj.client_secret, obj.status, int(obj.amount), obj.currency)


class StripeAccount:
    """The shop's Stripe account: one StripeClient per key, remade when the key is re-read."""

    def __init__(
        self,
        secret: CachedSecret,
        api_base: str | None = None,
        http_client: stripe.HTTPClient | None = None,
        *,
        js_url: str = STRIPE_JS_URL,
    ) -> None:
        self._secret = secret
        self._api_base = api_base
        self.js_url = js_url  # the Stripe.js the storefront loads for this account
        self._http_client = http_client
        self._lock = threading.Lock()
        self._client: stripe.StripeClient | None = None
        self._client_key: str | None = None

    def keys(self) -> StripeKeys:
        return StripeKeys.parse(self._secret.value(), self._secret.arn)

    def _stripe(self) -> stripe.StripeClient:
        key = self.keys().secret_key
        with self._lock:
            if self._client is None or self._client_key != key:
                self._client = stripe.StripeClient(
                    key,
                    base_addresses={} if self._api_base is None else {"api": self._api_base},
                    max_network_retries=MAX_NETWORK_RETRIES,
                    http_client=self._http_client,
                )
                self._client_key = key
            return self._client

    def call(self, request: Callable[[stripe.StripeClient], T]) -> T:
        """Run one request; after an AuthenticationError re-read the secret once and, if the key
        changed, retry once."""
        try:
            return request(self._stripe())
        except stripe.AuthenticationError:
            if not self._secret.refresh():
                raise
        return request(self._stripe())

    def create_intent(self, order_id: uuid.UUID, amount_minor: int, currency: str) -> Intent:
        return self.call(
            lambda client: _intent(
                client.v1.payment_intents.create(
                    params={
                        "amount": amount_minor,
                        "currency": currency.lower(),
                        "metadata": {"order_id": str(order_id)},
                    },
                    options={"idempotency_key": intent_idempotency_key(order_id)},
                )
            )
        )

    def retrieve_intent(self, intent_id: str) -> Intent:
        return self.call(lambda client: _intent(client.v1.payment_intents.retrieve(intent_id)))

    def confirm_with_card_token(self, order_id: uuid.UUID, intent_id: str, token: str) -> Intent:
        """Confirm the order's PaymentIntent with the card Stripe.js tokenized in the browser
        (the card's number never reaches the shop). The token is read back first, so one made
        for another account or already spent is refused by Stripe, not trusted from the client;
        its card becomes the intent's payment method (PaymentIntents take a Card id as
        `payment_method`: https://docs.stripe.com/api/payment_intents/update). Raises
        stripe.CardError for a declined card; answers `requires_action` when 3-D Secure must
        run in the browser (Stripe.js, with the client secret).

        Update, then confirm: localstripe answers confirm with a payment_method argument "Not
        implemented", and Stripe accepts the two steps alike. Both carry an idempotency key
        per token (a token is spent once), so a retried request confirms once."""
        key = f"shop3d-order-{order_id}-pay-{token}"

        def confirm(client: stripe.StripeClient) -> Intent:
            card = client.v1.tokens.retrieve(token).card
            if card is None:
                raise stripe.InvalidRequestError(  # type: ignore[no-untyped-call]
                    f"token {token} holds no card", "card_token"
                )
            client.v1.payment_intents.update(
                intent_id,
                params={"payment_method": card.id},
                options={"idempotency_key": f"{key}-method"},
            )
            return _intent(
                client.v1.payment_intents.confirm(
                    intent_id, options={"idempotency_key": f"{key}-confirm"}
                )
            )

        return self.call(confirm)

    def refund(self, order_id: uuid.UUID, intent_id: str) -> str:
        """Refund the whole payment; returns the refund id."""
        refund = self.call(
            lambda client: client.v1.refunds.create(
                params={"payment_intent": intent_id, "metadata": {"order_id": str(order_id)}},
                options={"idempotency_key": refund_idempotency_key(order_id)},
            )
        )
        refund_id: str = refund.id
        return refund_id

    def verify(self, payload: bytes, signature: str | None, tolerance: int) -> stripe.Event:
        """The event, after construct_event checked Stripe-Signature against the webhook secret
        (raises stripe.SignatureVerificationError, or ValueError for a body that is not JSON).
        A refused signature does not re-read the secret: anyone can send one, and each would
        cost a Secrets Manager read (Stripe signs with old and new secrets while one rolls)."""
        secret = self.keys().webhook_secret
        event: stripe.Event = stripe.Webhook.construct_event(payload, signature, secret, tolerance)
        return event
