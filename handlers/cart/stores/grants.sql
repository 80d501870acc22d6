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

-- Checkout reserves stock: UPDATE ... SET on_hand, updated_at WHERE sku = ... RETURNING on_hand
-- (SELECT covers the WHERE and RETURNING, and the read of what is left after a refusal).
GRANT SELECT, UPDATE (on_hand, updated_at) ON inventory TO {role};
-- Checkout inserts the order and its lines (ON CONFLICT DO NOTHING RETURNING reads back);
-- order reads select them. Keys are uuids and positions: no sequences are used.
GRANT SELECT, INSERT ON orders, order_lines TO {role};
-- Signing in hands a guest's orders to the account (order_history.adopt): only the owner.
GRANT UPDATE (owner_key) ON orders TO {role};
-- The product API (sellers and admins, same function) sets stock only through
-- set_product_stock (schema.sql): ordered by the catalog version, no INSERT of its own.
GRANT EXECUTE ON FUNCTION set_product_stock(text, integer, bigint) TO {role};
