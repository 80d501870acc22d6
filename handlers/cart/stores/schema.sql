-- Orders and inventory (Aurora PostgreSQL in AWS, PostgreSQL locally). Idempotent: every
-- statement can run again on an existing schema. Applied by handlers.cart.database.apply_schema.

CREATE TABLE IF NOT EXISTS inventory (
    sku         text PRIMARY KEY CHECK (length(sku) BETWEEN 1 AND 64),
    -- The CHECK is the last line of defence against overselling; checkout's conditional
    -- UPDATE never lets it fire.
    on_hand     integer NOT NULL CHECK (on_hand >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS orders (
    order_id        uuid PRIMARY KEY,
    owner_key       text NOT NULL,
    status          text NOT NULL,
    currency        char(3) NOT NULL,
    total_minor     bigint NOT NULL CHECK (total_minor >= 0),
    -- One order per cart generation: a retried or doubled checkout finds the first order.
    cart_id         text NOT NULL,
    cart_generation bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cart_id, cart_generation)
);

CREATE INDEX IF NOT EXISTS orders_owner_idx ON orders (owner_key, created_at DESC);

CREATE TABLE IF NOT EXISTS order_lines (
    order_id          uuid NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    position          smallint NOT NULL,
    sku               text NOT NULL,
    name              text NOT NULL,
    quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_price_minor  bigint NOT NULL CHECK (unit_price_minor >= 0),
    line_total_minor  bigint NOT NULL CHECK (line_total_minor = unit_price_minor * quantity),
    PRIMARY KEY (order_id, position),
    UNIQUE (order_id, sku)
);

-- The order lifecycle (handlers.cart.stores.order_lifecycle): added to tables made before it.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS expires_at timestamptz;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS email text CHECK (length(email) <= 254);
ALTER TABLE orders ADD COLUMN IF NOT EXISTS payment_intent_id text UNIQUE;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS payment_status text NOT NULL DEFAULT 'none';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
-- Replaced on every run so the allowed states are exactly the ones listed here.
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (
    status IN ('PENDING_PAYMENT', 'PAID', 'FULFILLED', 'EXPIRED', 'CANCELLED', 'REFUNDED')
);
-- The expiry job's scan: only unpaid orders, oldest deadline first.
CREATE INDEX IF NOT EXISTS orders_due_idx ON orders (expires_at)
    WHERE status = 'PENDING_PAYMENT';

-- Every transition, in the transaction that made it: who, when, why.
CREATE TABLE IF NOT EXISTS order_events (
    event_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     uuid NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    from_status  text,
    to_status    text NOT NULL,
    actor        text NOT NULL CHECK (length(actor) BETWEEN 1 AND 128),
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    at           timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS order_events_order_idx ON order_events (order_id, event_id);

-- The transactional outbox: written in the order's transaction, relayed to EventBridge after
-- commit (at least once: published_at is set only after the bus accepted the entry).
CREATE TABLE IF NOT EXISTS outbox (
    outbox_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id      uuid NOT NULL,
    event_type    text NOT NULL,
    detail        jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (outbox_id) WHERE published_at IS NULL;

-- Stripe events applied, each once: inserted in the transaction that changes the order.
CREATE TABLE IF NOT EXISTS stripe_events (
    event_id     text PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 255),
    event_type   text NOT NULL,
    order_id     uuid,
    received_at  timestamptz NOT NULL DEFAULT now()
);

-- The catalog version of the last stock the product API wrote (handlers.cart.stores.
-- inventory_store): a retried or late older write never overwrites a newer one.
ALTER TABLE inventory ADD COLUMN IF NOT EXISTS catalog_version bigint NOT NULL DEFAULT 0;

-- Variants (handlers/shared/variants.py): a variant is stocked under its line SKU
-- `<sku>~<variant key>` (up to 64 + 1 + 24 characters), and an order line keeps the variant
-- chosen (key and name as the shopper saw it; NULL for a product without variants).
-- Widened once: re-adding the CHECK on every run would scan the inventory under a lock.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_constraint WHERE conrelid = 'inventory'::regclass
            AND conname = 'inventory_sku_check' AND pg_get_constraintdef(oid) LIKE '%89%'
    ) THEN
        ALTER TABLE inventory DROP CONSTRAINT IF EXISTS inventory_sku_check;
        ALTER TABLE inventory ADD CONSTRAINT inventory_sku_check
            CHECK (length(sku) BETWEEN 1 AND 89);
    END IF;
END $$;
ALTER TABLE order_lines ADD COLUMN IF NOT EXISTS variant_key text
    CHECK (length(variant_key) BETWEEN 1 AND 24);
ALTER TABLE order_lines ADD COLUMN IF NOT EXISTS variant_name text
    CHECK (length(variant_name) BETWEEN 1 AND 64);

-- The one way the cart's role writes stock (it has no INSERT on inventory): as of a catalog
-- version, landing only when newer than the row's. True when it landed.
CREATE OR REPLACE FUNCTION set_product_stock(p_sku text, p_on_hand integer, p_version bigint)
RETURNS boolean LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    WITH written AS (
        INSERT INTO inventory AS i (sku, on_hand, catalog_version)
        VALUES (p_sku, p_on_hand, p_version)
        ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand,
            catalog_version = EXCLUDED.catalog_version, updated_at = now()
        WHERE i.catalog_version < EXCLUDED.catalog_version
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM written);
$$;
REVOKE ALL ON FUNCTION set_product_stock(text, integer, bigint) FROM PUBLIC;
-- >>> search: the catalog's search projection (handlers/cart/stores/search_store.py writes and
-- reads it; docs/search.md). One row per SKU, written only by the projection from the catalog
-- table's stream, ordered by the catalog item's version; read on each region's reader endpoint.
-- pg_trgm is created here, by the schema step's master user (Aurora PostgreSQL lists pg_trgm
-- among its supported extensions: "Extension versions for Amazon Aurora PostgreSQL").
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE IF NOT EXISTS search_products (
    sku          text PRIMARY KEY CHECK (length(sku) BETWEEN 1 AND 64),
    -- The catalog item's version (0 for items written before versions existed): an upsert
    -- carrying an older version than the row's changes nothing.
    version      bigint NOT NULL CHECK (version >= 0),
    -- Active and not removed; a removed item stays as a hidden row that keeps its version.
    visible      boolean NOT NULL,
    name         text NOT NULL,
    description  text NOT NULL,
    category     text NOT NULL,
    price_minor  bigint NOT NULL CHECK (price_minor >= 0),
    currency     char(3) NOT NULL,
    asset_status text NOT NULL,
    manifest_key text,
    created_at   timestamptz NOT NULL,
    projected_at timestamptz NOT NULL DEFAULT now(),
    -- Weights: name A, category B, description C (ts_rank's defaults 1.0, 0.4, 0.2).
    document     tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', name), 'A')
        || setweight(to_tsvector('english', category), 'B')
        || setweight(to_tsvector('english', description), 'C')
    ) STORED
);

CREATE INDEX IF NOT EXISTS search_products_document_idx
    ON search_products USING gin (document) WHERE visible;
-- Typo tolerance: word_similarity of the query against the name (the <% operator).
CREATE INDEX IF NOT EXISTS search_products_name_trgm_idx
    ON search_products USING gin (lower(name) gin_trgm_ops) WHERE visible;
CREATE INDEX IF NOT EXISTS search_products_price_idx
    ON search_products (price_minor, sku) WHERE visible;
CREATE INDEX IF NOT EXISTS search_products_newest_idx
    ON search_products (created_at DESC, sku) WHERE visible;
CREATE INDEX IF NOT EXISTS search_products_category_idx
    ON search_products (category) WHERE visible;
-- <<< search
