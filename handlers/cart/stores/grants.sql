-- The cart service's role ({role}, created by handlers.cart.database.apply_schema): what checkout
-- and order reads use, and the product API's stock writes; nothing more. No DDL, no DELETE.
-- Revoking first makes the grants exactly these on every
-- run, also after a grant is removed here. Formatted with psycopg.sql: {role} and {database}
-- (the current database) are identifiers.

-- PostgreSQL 15+ already denies CREATE on the public schema to PUBLIC; explicit for older ones.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Nor temporary tables (DDL too); the owner (the master user) keeps them.
REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role};
GRANT USAGE ON SCHEMA public TO {role};

-- Checkout reserves stock and expiry or a refund returns it: UPDATE ... SET on_hand, updated_at
-- WHERE sku = ... RETURNING on_hand (SELECT covers the WHERE and RETURNING).
GRANT SELECT, UPDATE (on_hand, updated_at) ON inventory TO {role};
-- Checkout inserts the order and its lines (ON CONFLICT DO NOTHING RETURNING reads back);
-- order reads select them; transitions update only the state columns.
GRANT SELECT, INSERT ON orders, order_lines TO {role};
-- Signing in hands a guest's orders to the account (order_history.adopt): only the owner.
GRANT UPDATE (owner_key) ON orders TO {role};
GRANT UPDATE (status, payment_status, payment_intent_id, updated_at) ON orders TO {role};
-- Transitions append their history and outbox rows (identity keys: their sequences);
-- the relay marks outbox rows published; Stripe events are recorded once.
GRANT SELECT, INSERT ON order_events, stripe_events TO {role};
GRANT UPDATE (order_id) ON stripe_events TO {role};
GRANT SELECT, INSERT, UPDATE (published_at) ON outbox TO {role};
GRANT USAGE ON SEQUENCE order_events_event_id_seq, outbox_outbox_id_seq TO {role};
-- The product API (sellers and admins, same function) sets stock only through
-- set_product_stock (schema.sql): ordered by the catalog version, no INSERT of its own.
GRANT EXECUTE ON FUNCTION set_product_stock(text, integer, bigint) TO {role};

-- >>> search: the cart service reads the search projection (on the reader endpoint); only the
-- projection's own role ({projection_role}) writes it. The projection never deletes: a removed
-- item becomes a hidden row that keeps its version.
GRANT SELECT ON search_products TO {role};
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {projection_role};
GRANT USAGE ON SCHEMA public TO {projection_role};
GRANT SELECT, INSERT, UPDATE ON search_products TO {projection_role};
-- <<< search
