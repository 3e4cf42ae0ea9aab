using Follow.Model;

namespace Follow.Tests.Planning;

/// <summary>
/// A source catalog written by hand, as <see cref="Follow.Discovery.CatalogReader"/> would read it from the CREATE TABLEs:
/// names and definitions are spelled as PostgreSQL spells them (<c>table_pkey</c>, <c>pg_get_constraintdef</c>).
/// Tables go in the public schema unless named <c>schema.table</c>.
/// </summary>
internal sealed class CatalogBuilder
{
    private readonly List<TableBuilder> _tables = [];

    public static QualifiedName Name(string name) =>
        name.IndexOf('.') is var dot and > 0 ? new QualifiedName(name[..dot], name[(dot + 1)..]) : new QualifiedName("public", name);

    public CatalogBuilder Table(string name, Action<TableBuilder> build)
    {
        var table = new TableBuilder(Name(name));
        build(table);
        _tables.Add(table);
        return this;
    }

    public Catalog Build() => new(150000,
        [.. _tables.Select(t => t.Build()).OrderBy(t => t.Name)],
        [.. _tables.SelectMany(t => t.Sequences()).OrderBy(s => s.Name)]);
}
