ALTER TABLE "public"."impressions" ADD CONSTRAINT "impressions_pkey" PRIMARY KEY ("company_id", id);
CREATE INDEX "impressions_pkey_identity" ON "public"."impressions" ("id");
CREATE INDEX impressions_ad_id_idx ON public.impressions USING btree (ad_id);
ALTER TABLE "public"."impressions" ADD CONSTRAINT "impressions_ad_id_fkey" FOREIGN KEY ("company_id", "ad_id") REFERENCES "public"."ads" ("company_id", "id");
