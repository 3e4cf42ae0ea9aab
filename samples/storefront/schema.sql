-- The storefront of the Citus multi-tenant migration guide: stores are the tenants.
CREATE TABLE stores (
    store_id   uuid PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    product_id bigserial PRIMARY KEY,
    store_id   uuid NOT NULL REFERENCES stores (store_id),
    name       text NOT NULL,
    price      numeric(12,2) NOT NULL
);

CREATE TABLE orders (
    order_id   bigserial PRIMARY KEY,
    store_id   uuid NOT NULL REFERENCES stores (store_id),
    ordered_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE line_items (
    line_item_id bigserial PRIMARY KEY,
    order_id     bigint NOT NULL REFERENCES orders (order_id),
    product_id   bigint NOT NULL REFERENCES products (product_id),
    quantity     integer NOT NULL
);
