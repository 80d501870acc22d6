"""Order notifications: e-mails sent from the order events the outbox relay publishes."""
