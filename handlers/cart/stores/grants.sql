-- The cart service's role ({role}, created by handlers.cart.database.apply_schema): what checkout
-- and order reads use, nothing more. No DDL, no DELETE, no INSERT into inventory (stock is set
-- by operators with the master user). Revoking first makes the grants exactly these on every
-- run, also after a grant is removed here. Formatted with psycopg.sql: {role} and {database}
-- (the current database) are identifiers.

-- PostgreSQL 15+ already denies CREATE on the public schema to PUBLIC; explicit for older ones.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Nor temporary tables (DDL too); the owner (the master user) keeps them.
REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role};
GRANT USAGE ON SCHEMA public TO {role};

-- Checkout reserves stock: UPDATE ... SET on_hand, updated_at WHERE sku = ... RETURNING on_hand
-- (SELECT covers the WHERE and RETURNING, and the read of what is left after a refusal).
GRANT SELECT, UPDATE (on_hand, updated_at) ON inventory TO {role};
-- Checkout inserts the order and its lines (ON CONFLICT DO NOTHING RETURNING reads back);
-- order reads select them. Keys are uuids and positions: no sequences are used.
GRANT SELECT, INSERT ON orders, order_lines TO {role};

-- >>> search: the cart service reads the search projection (on the reader endpoint); only the
-- projection's own role ({projection_role}) writes it. The projection never deletes: a removed
-- item becomes a hidden row that keeps its version.
GRANT SELECT ON search_products TO {role};
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {projection_role};
GRANT USAGE ON SCHEMA public TO {projection_role};
GRANT SELECT, INSERT, UPDATE ON search_products TO {projection_role};
-- <<< search
