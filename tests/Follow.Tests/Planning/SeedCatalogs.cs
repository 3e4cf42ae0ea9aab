using Follow.Model;

namespace Follow.Tests.Planning;

/// <summary>
/// The seeds' schemas built by hand, column for column as samples/ad-platform/schema.sql and
/// samples/storefront/schema.sql create them.
/// </summary>
internal static class SeedCatalogs
{
    private const string Timestamp = "timestamp without time zone";

    /// <summary>pgloader's ad platform: companies ← campaigns ← ads ← clicks and impressions.</summary>
    public static CatalogBuilder AdPlatformBuilder() => new CatalogBuilder()
        .Table("companies", t => t
            .Serial("id")
            .Column("name", "text", notNull: true)
            .Column("image_url", "text")
            .Column("created_at", Timestamp, notNull: true)
            .Column("updated_at", Timestamp, notNull: true)
            .PrimaryKey("id"))
        .Table("campaigns", t => t
            .Serial("id")
            .Column("company_id", "bigint")
            .Column("name", "text", notNull: true)
            .Column("cost_model", "text", notNull: true)
            .Column("state", "text", notNull: true)
            .Column("monthly_budget", "bigint")
            .Column("blacklisted_site_urls", "text[]")
            .Column("created_at", Timestamp, notNull: true)
            .Column("updated_at", Timestamp, notNull: true)
            .PrimaryKey("id")
            .References("company_id", "companies")
            .Index("company_id"))
        .Table("ads", t => t
            .Serial("id")
            .Column("campaign_id", "bigint")
            .Column("name", "text", notNull: true)
            .Column("image_url", "text")
            .Column("target_url", "text")
            .Column("impressions_count", "bigint", @default: "0")
            .Column("clicks_count", "bigint", @default: "0")
            .Column("created_at", Timestamp, notNull: true)
            .Column("updated_at", Timestamp, notNull: true)
            .PrimaryKey("id")
            .References("campaign_id", "campaigns")
            .Index("campaign_id"))
        .Table("clicks", t => t
            .Serial("id")
            .Column("ad_id", "bigint")
            .Column("clicked_at", Timestamp, notNull: true)
            .Column("site_url", "text", notNull: true)
            .Column("cost_per_click_usd", "numeric(20,10)")
            .Column("user_ip", "inet", notNull: true)
            .Column("user_data", "jsonb", notNull: true)
            .PrimaryKey("id")
            .References("ad_id", "ads")
            .Index("ad_id"))
        .Table("impressions", t => t
            .Serial("id")
            .Column("ad_id", "bigint")
            .Column("seen_at", Timestamp, notNull: true)
            .Column("site_url", "text", notNull: true)
            .Column("cost_per_impression_usd", "numeric(20,10)")
            .Column("user_ip", "inet", notNull: true)
            .Column("user_data", "jsonb", notNull: true)
            .PrimaryKey("id")
            .References("ad_id", "ads")
            .Index("ad_id"));

    public static Catalog AdPlatform() => AdPlatformBuilder().Build();

    /// <summary>The Citus migration guide's storefront: stores ← products, orders ← line_items (through both).</summary>
    public static CatalogBuilder StorefrontBuilder() => new CatalogBuilder()
        .Table("stores", t => t
            .Column("store_id", "uuid", notNull: true)
            .Column("name", "text", notNull: true)
            .Column("created_at", "timestamp with time zone", notNull: true, @default: "now()")
            .PrimaryKey("store_id"))
        .Table("products", t => t
            .Serial("product_id")
            .Column("store_id", "uuid", notNull: true)
            .Column("name", "text", notNull: true)
            .Column("price", "numeric(12,2)", notNull: true)
            .PrimaryKey("product_id")
            .References("store_id", "stores", "store_id"))
        .Table("orders", t => t
            .Serial("order_id")
            .Column("store_id", "uuid", notNull: true)
            .Column("ordered_at", "timestamp with time zone", notNull: true, @default: "now()")
            .PrimaryKey("order_id")
            .References("store_id", "stores", "store_id"))
        .Table("line_items", t => t
            .Serial("line_item_id")
            .Column("order_id", "bigint", notNull: true)
            .Column("product_id", "bigint", notNull: true)
            .Column("quantity", "integer", notNull: true)
            .PrimaryKey("line_item_id")
            .References("order_id", "orders", "order_id")
            .References("product_id", "products", "product_id"));

    public static Catalog Storefront() => StorefrontBuilder().Build();
}
