CREATE TABLE "public"."impressions" (
    "company_id" bigint NOT NULL,
    "id" bigint DEFAULT nextval('impressions_id_seq'::regclass) NOT NULL,
    "ad_id" bigint,
    "seen_at" timestamp with time zone NOT NULL,
    "site_url" text NOT NULL,
    "cost_per_impression_usd" numeric(20,10),
    "user_ip" inet NOT NULL,
    "user_data" jsonb NOT NULL
);
