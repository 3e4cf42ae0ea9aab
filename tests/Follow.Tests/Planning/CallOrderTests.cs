using static Follow.Tests.Planning.PlanFixture;

namespace Follow.Tests.Planning;

/// <summary>The order of create_reference_table and create_distributed_table: what Citus needs before each call.</summary>
public sealed class CallOrderTests
{
    /// <summary>Two tenants with keys of different types, so two colocation groups, each with a child named to sort first.</summary>
    private static CatalogBuilder TwoTenants() => new CatalogBuilder()
        .Table("zones", t => t.Column("id", "uuid", notNull: true).PrimaryKey("id"))
        .Table("accounts", t => t.Column("id", "bigint", notNull: true).PrimaryKey("id"))
        .Table("a_zone_notes", t => t.Column("id", "bigint").Column("zone_id", "uuid").PrimaryKey("id").References("zone_id", "zones"))
        .Table("a_account_notes", t => t.Column("id", "bigint").Column("account_id", "bigint").PrimaryKey("id").References("account_id", "accounts"))
        .Table("colors", t => t.Column("code", "text", notNull: true).PrimaryKey("code"))
        .Table("brands", t => t.Column("code", "text", notNull: true).PrimaryKey("code"));

    [Fact]
    public void Reference_tables_come_first_then_roots_in_rule_order_then_their_children()
    {
        var plan = Plan(TwoTenants().Build(), """
            distribute zones using id
            distribute accounts using id
            distribute colors as reference table
            distribute brands as reference table
            """);

        Assert.Equal(["brands", "colors", "zones", "accounts", "a_account_notes", "a_zone_notes"], plan.Calls.Select(c => c.Table.Name));
        Assert.Equal([null, null, null, null, Public("accounts"), Public("zones")], plan.Calls.Select(c => c.ColocateWith));
    }

    [Fact]
    public void The_rule_order_of_the_roots_decides_which_is_called_first()
    {
        var plan = Plan(TwoTenants().Build(), "distribute accounts using id\ndistribute zones using id");

        Assert.Equal(["accounts", "zones", "a_account_notes", "a_zone_notes"], plan.Calls.Select(c => c.Table.Name));
    }

    [Fact]
    public void A_child_is_called_after_every_distributed_table_it_references()
    {
        // line_items sorts before orders and products; its keys to both decide.
        var plan = Plan(SeedCatalogs.Storefront(), "distribute stores using store_id\ndistribute line_items using store_id from orders");

        var order = plan.Calls.Select(c => c.Table.Name).ToList();
        Assert.True(order.IndexOf("line_items") > order.IndexOf("orders"));
        Assert.True(order.IndexOf("line_items") > order.IndexOf("products"));
    }
}
