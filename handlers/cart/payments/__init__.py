"""Payments: Stripe PaymentIntents (stripe_gateway) and the webhook that moves orders (webhook)."""
