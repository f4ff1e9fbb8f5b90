-- The shop on PostgreSQL. Amounts are NUMERIC(12,2), times timestamptz.
CREATE TABLE products (
    id          bigint      PRIMARY KEY,
    name        text        NOT NULL,
    description text        NOT NULL,
    category    text        NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE variants (
    product_id bigint        NOT NULL REFERENCES products (id),
    sku        text          NOT NULL,
    name       text          NOT NULL,
    price      numeric(12,2) NOT NULL,
    currency   text          NOT NULL,
    PRIMARY KEY (product_id, sku)
);

CREATE TABLE orders (
    id          bigint        PRIMARY KEY,
    customer_id bigint        NOT NULL,
    status      text          NOT NULL,
    total       numeric(12,2) NOT NULL,
    currency    text          NOT NULL,
    created_at  timestamptz   NOT NULL
);
-- A customer's orders, newest first.
CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC, id DESC);

CREATE TABLE order_lines (
    order_id   bigint        NOT NULL REFERENCES orders (id),
    line       int           NOT NULL,
    sku        text          NOT NULL,
    quantity   int           NOT NULL,
    unit_price numeric(12,2) NOT NULL,
    PRIMARY KEY (order_id, line)
);
