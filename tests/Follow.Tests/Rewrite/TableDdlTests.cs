using Follow.Model;
using Follow.Rewrite;
using Follow.Tests.Compare;

namespace Follow.Tests.Rewrite;

public class TableDdlTests
{
    private static string CreateCompanies(Func<Table, Table> change)
    {
        var source = SmallCatalog.Source();
        var catalog = new Catalog(source.ServerVersionNum, [.. source.Tables.Select(t => t.Name.Name == "companies" ? change(t) : t)], source.Sequences);
        return TableDdl.CreateTable(SmallCatalog.Plan(catalog).Tables.Single(t => t.Name.Name == "companies"));
    }

    [Fact]
    public void Storage_parameters_of_the_table_and_its_toast_table_are_kept_with_values_quoted()
    {
        var sql = CreateCompanies(t => t with { StorageParameters = ["fillfactor=80", "autovacuum_enabled=false", "toast.autovacuum_enabled=o'k"] });

        Assert.Contains("\n) WITH (\"fillfactor\" = '80', \"autovacuum_enabled\" = 'false', toast.\"autovacuum_enabled\" = 'o''k');", sql);
    }

    [Fact]
    public void A_table_without_storage_parameters_has_no_with_clause()
    {
        Assert.DoesNotContain("WITH", CreateCompanies(t => t));
    }

    [Fact]
    public void A_columns_storage_and_statistics_target_are_restated_after_the_create()
    {
        var sql = CreateCompanies(t => t with { Columns = [.. t.Columns.Select(c => c.Name == "name" ? c with { Storage = 'e', StatisticsTarget = 500 } : c)] });

        Assert.EndsWith(
            ";\nALTER TABLE \"public\".\"companies\" ALTER COLUMN \"name\" SET STORAGE EXTERNAL;"
            + "\nALTER TABLE \"public\".\"companies\" ALTER COLUMN \"name\" SET STATISTICS 500;", sql);
    }
}
