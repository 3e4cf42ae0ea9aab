using Follow.Model;
using Follow.Planning;
using Follow.Rules;

namespace Follow.Tests.Compare;

/// <summary>companies ← campaigns ← ads, built by hand: ads gets company_id through campaigns, and a cast.</summary>
internal static class SmallCatalog
{
    public const string Rules = """
        distribute companies using id
        cast column ads.seen_at to "timestamp with time zone"
        """;

    public static QualifiedName Name(string table) => new("public", table);

    public static Catalog Source() => new(150000,
    [
        Table("ads", ["id bigint", "campaign_id bigint", "seen_at timestamp without time zone"], ["id"],
            [ForeignKey("ads_campaign_id_fkey", "ads", ["campaign_id"], "campaigns", ["id"])],
            [Index("ads_campaign_id_idx", "campaign_id")]),
        Table("campaigns", ["id bigint", "company_id bigint"], ["id"],
            [ForeignKey("campaigns_company_id_fkey", "campaigns", ["company_id"], "companies", ["id"])], []),
        Table("companies", ["id bigint", "name text"], ["id"], [], []),
    ], []);

    public static DistributionPlan Plan(Catalog catalog) => DistributionPlanner.Plan(catalog, RulesParser.Parse(Rules, "test.rules"));

    public static Table Table(string name, string[] columns, string[] primaryKey, ForeignKey[] foreignKeys, Model.Index[] indexes)
    {
        var pkey = new KeyConstraint($"{name}_pkey", KeyKind.PrimaryKey, primaryKey, $"{name}_pkey", false, false,
            $"PRIMARY KEY ({string.Join(", ", primaryKey)})");
        Model.Index[] allIndexes = [new Model.Index(pkey.Name, true, true, primaryKey, false, pkey.Name, $"CREATE UNIQUE INDEX {pkey.Name} ON public.{name} USING btree ({string.Join(", ", primaryKey)})"), .. indexes];
        return new Table(Name(name), TableKind.Regular,
            [.. columns.Select((c, i) => new Column(c[..c.IndexOf(' ')], i + 1, c[(c.IndexOf(' ') + 1)..], false, null, null, null, null))],
            pkey, [], foreignKeys, allIndexes, [], ReplicaIdentity.Default, null, null, null, null, false, 0, 0);
    }

    public static ForeignKey ForeignKey(string name, string table, string[] columns, string referenced, string[] referencedColumns) =>
        new(name, Name(table), columns, Name(referenced), referencedColumns, 'a', 'a', 's', false, false,
            $"FOREIGN KEY ({string.Join(", ", columns)}) REFERENCES {referenced}({string.Join(", ", referencedColumns)})");

    public static Model.Index Index(string name, string column) =>
        new(name, false, false, [column], false, null, $"CREATE INDEX {name} ON public.x USING btree ({column})");
}
