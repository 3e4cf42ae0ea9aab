using Follow.Planning;

namespace Follow.Tests.Planning;

/// <summary>The column list of PostgreSQL 15's ON DELETE SET DEFAULT (…), read from pg_get_constraintdef.</summary>
public sealed class ForeignKeyDefinitionTests
{
    [Fact]
    public void A_set_default_action_without_columns_names_none()
    {
        Assert.Null(ForeignKeyDefinition.DeleteSetColumns("FOREIGN KEY (a, b) REFERENCES p(x, y) ON DELETE SET DEFAULT"));
        Assert.Null(ForeignKeyDefinition.DeleteSetColumns("FOREIGN KEY (a) REFERENCES p(x) ON UPDATE SET DEFAULT"));
    }

    [Fact]
    public void The_listed_columns_are_read_unquoted()
    {
        Assert.Equal(["b", "Odd, \"name\")"],
            ForeignKeyDefinition.DeleteSetColumns("FOREIGN KEY (a, b, \"Odd, \"\"name\"\")\") REFERENCES p(x, y, z) ON DELETE SET DEFAULT (b, \"Odd, \"\"name\"\")\") DEFERRABLE"));
    }

    [Fact]
    public void A_set_null_list_is_not_a_set_default_list()
    {
        Assert.Null(ForeignKeyDefinition.DeleteSetColumns("FOREIGN KEY (a, b) REFERENCES p(x, y) ON DELETE SET NULL (b)"));
    }
}
