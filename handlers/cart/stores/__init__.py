"""The cart service's stores: DynamoDB carts, catalog and idempotency records; Aurora orders; the
database connection, its credentials and the Redis cache's auth."""
