using Follow.Model;

namespace Follow.Planning;

/// <summary>
/// The rules Citus 13.2 enforces on a foreign key when it is added (commands/foreign_constraint.c:
/// ErrorIfUnsupportedForeignConstraintExists and the checks it calls; commands/table.c, which turns a local table
/// tied to a reference table into a Citus local table), judged on the plan before anything is changed:
/// <list type="number">
/// <item>A distributed table cannot reference a local one. Refused: the rows are on different nodes.</item>
/// <item>A reference or local table cannot reference a distributed one. Refused, as 1.</item>
/// <item>Two distributed tables must be colocated. Refused: the plan colocates tables by their key.</item>
/// <item>Between distributed tables the key must map one distribution column onto the other, at the same position.
/// A key that holds neither gets both put first (rewritten); one that maps a distribution column onto another column
/// ties rows of different tenants, and is refused.</item>
/// <item>A key that holds the referencing table's distribution column (every key of 4; a key to a reference table
/// that holds it) cannot be ON DELETE SET NULL or SET DEFAULT: refused, as a parent's DELETE, an everyday write,
/// would then fail where it succeeded. It cannot be ON UPDATE CASCADE, SET NULL or SET DEFAULT either: created ON
/// UPDATE NO ACTION, with a warning, since the action only fires when the referenced key changes, and a key that
/// holds a distribution column cannot change on Citus anyway.</item>
/// <item>A reference table's key to a local table (which becomes a Citus local table) must be NO ACTION or RESTRICT
/// on both DELETE and UPDATE. Refused otherwise: a DELETE or UPDATE of the local table would lose its effect.</item>
/// <item>On a table in Citus' metadata, SET DEFAULT cannot apply to a column whose default draws from a sequence
/// (nextval or identity). Refused: Citus drops those defaults on the shards, so the action would write NULL.</item>
/// </list>
/// Everything else is created as it is: distributed to reference (without the distribution column), reference to
/// reference, local to reference, local to local, with every action.
/// </summary>
public static class CitusForeignKeyRules
{
    public static ForeignKeyVerdict Judge(ForeignKeySides sides)
    {
        var fk = sides.Key;
        var name = Sql.IdentIfNeeded(fk.Name);
        var parent = fk.ReferencedTable;
        var child = sides.ChildCategory;
        var parentCategory = sides.ParentCategory;
        var unchanged = new PlannedForeignKey(fk, fk.Columns, parent, fk.ReferencedColumns, false, fk.OnUpdate);

        if (child.IsDistributed() && parentCategory == TableCategory.Local)
        {
            return ForeignKeyVerdict.Refuse(
                $"foreign key {name} references {parent}, which stays local on the coordinator; Citus cannot keep a foreign key from a distributed table to a local one",
                $"make {parent} a reference table (distribute {parent} as reference table), or give it a distribution rule");
        }
        if (!child.IsDistributed() && parentCategory.IsDistributed())
        {
            var kind = child == TableCategory.Reference ? "a reference table" : "a local table";
            return ForeignKeyVerdict.Refuse(
                $"foreign key {name} references the distributed table {parent}, and Citus cannot keep a foreign key from {kind} to a distributed one",
                child == TableCategory.Reference
                    ? $"remove the reference rule so that {fk.Table} is distributed with its parent, or drop the foreign key on the source"
                    : $"distribute {fk.Table} with a rule (distribute {fk.Table} using <column> from {parent}), or drop the foreign key on the source");
        }
        if (child.IsDistributed() && parentCategory.IsDistributed() && !sides.Colocated)
        {
            return ForeignKeyVerdict.Refuse(
                $"foreign key {name} joins it to {parent}, which is distributed by another key ({sides.ParentRoot}'s, not {sides.ChildRoot}'s); Citus keeps foreign keys only between colocated tables",
                $"drop the foreign key on the source, or make {parent} a reference table");
        }
        if (sides.ChildInMetadata && SequenceColumnSetToDefault(sides) is var (verb, column))
        {
            return ForeignKeyVerdict.Refuse(
                $"foreign key {name} to {parent} is ON {verb} SET DEFAULT, and column {Sql.IdentIfNeeded(column)} defaults to a sequence; Citus drops such defaults on the shards, so it refuses the key",
                $"change the key on the source to ON {verb} NO ACTION, RESTRICT, CASCADE or SET NULL, or give {Sql.IdentIfNeeded(column)} a default that is not a sequence");
        }

        if (child.IsDistributed() && parentCategory.IsDistributed())
        {
            return BetweenDistributed(sides, unchanged);
        }
        if (child.IsDistributed() && parentCategory == TableCategory.Reference && fk.Columns.Contains(sides.ChildColumn!))
        {
            return OnDistributionColumn(sides, unchanged);
        }
        if (child == TableCategory.Reference && parentCategory == TableCategory.Local && !(IsNoAction(fk.OnDelete) && IsNoAction(fk.OnUpdate)))
        {
            var action = IsNoAction(fk.OnDelete) ? Action("UPDATE", fk.OnUpdate) : Action("DELETE", fk.OnDelete);
            return ForeignKeyVerdict.Refuse(
                $"foreign key {name} to the local table {parent} is {action}; Citus makes {parent} a Citus local table, and a reference table's key to one must be NO ACTION or RESTRICT: Citus cannot carry a local table's change into the copies of a reference table on the workers",
                $"make {parent} a reference table too (distribute {parent} as reference table), or change the key on the source to ON DELETE and ON UPDATE NO ACTION or RESTRICT");
        }
        return ForeignKeyVerdict.Create(unchanged);
    }

    /// <summary>Rules 4 and 5 between two colocated distributed tables.</summary>
    private static ForeignKeyVerdict BetweenDistributed(ForeignKeySides sides, PlannedForeignKey unchanged)
    {
        var fk = sides.Key;
        var name = Sql.IdentIfNeeded(fk.Name);
        var parent = fk.ReferencedTable;
        var column = sides.ChildColumn!;
        var parentColumn = sides.ParentColumn!;
        var at = IndexOf(fk.ReferencedColumns, parentColumn);
        var childAt = IndexOf(fk.Columns, column);
        if (at >= 0 && fk.Columns[at] != column)
        {
            return ForeignKeyVerdict.Refuse(
                $"foreign key {name} maps {Sql.IdentIfNeeded(fk.Columns[at])} onto {parent}'s distribution column {Sql.IdentIfNeeded(parentColumn)}, so it ties a row to another tenant's row, on another shard; Citus keeps a foreign key between distributed tables only when it maps one distribution column onto the other",
                $"drop the foreign key on the source and enforce it in the application, or make {parent} a reference table");
        }
        if (at < 0 && childAt >= 0)
        {
            return ForeignKeyVerdict.Refuse(
                $"foreign key {name} maps the distribution column {Sql.IdentIfNeeded(column)} onto {parent}.{Sql.IdentIfNeeded(fk.ReferencedColumns[childAt])}, not onto {parent}'s distribution column {Sql.IdentIfNeeded(parentColumn)}; Citus keeps a foreign key between distributed tables only when it maps one distribution column onto the other",
                $"distribute the two tables so that the key maps one distribution column onto the other, make {parent} a reference table, or drop the foreign key on the source");
        }

        var planned = at >= 0
            ? unchanged
            : new PlannedForeignKey(fk, [column, .. fk.Columns], parent, [parentColumn, .. fk.ReferencedColumns], true, fk.OnUpdate);
        return OnDistributionColumn(sides, planned);
    }

    /// <summary>Rule 5: the actions of a key that holds the referencing table's distribution column.</summary>
    private static ForeignKeyVerdict OnDistributionColumn(ForeignKeySides sides, PlannedForeignKey planned)
    {
        var fk = sides.Key;
        var name = Sql.IdentIfNeeded(fk.Name);
        var parent = fk.ReferencedTable;
        var column = Sql.IdentIfNeeded(sides.ChildColumn!);
        if (fk.OnDelete is 'n' or 'd')
        {
            var fix = sides.ParentCategory == TableCategory.Reference
                ? "change it on the source to ON DELETE CASCADE, RESTRICT or NO ACTION"
                : $"change it on the source to ON DELETE CASCADE, RESTRICT or NO ACTION, or make {parent} a reference table";
            return ForeignKeyVerdict.Refuse(
                $"foreign key {name} to {parent} is {Action("DELETE", fk.OnDelete)}, which Citus does not allow on a key that includes the distribution column {column}: a DELETE of a parent row would fail on the target",
                fix);
        }
        if (fk.OnUpdate is 'c' or 'n' or 'd')
        {
            return ForeignKeyVerdict.Create(
                planned with { Rewritten = true, OnUpdate = 'a' },
                $"{fk.Table}: foreign key {name} to {parent} is created ON UPDATE NO ACTION instead of {Action("UPDATE", fk.OnUpdate)}, which Citus does not allow on a key that includes the distribution column {column}; an UPDATE of {parent}'s referenced key now fails while rows refer to it");
        }
        return ForeignKeyVerdict.Create(planned);
    }

    /// <summary>Rule 7: the first column a SET DEFAULT action of the key sets, among those defaulting to a sequence.</summary>
    private static (string Verb, string Column)? SequenceColumnSetToDefault(ForeignKeySides sides)
    {
        var fk = sides.Key;
        // As Citus reads it: ON UPDATE SET DEFAULT sets every column; ON DELETE SET DEFAULT those listed, or every one.
        var (verb, columns) = fk.OnUpdate == 'd' ? ("UPDATE", fk.Columns)
            : fk.OnDelete == 'd' ? ("DELETE", ForeignKeyDefinition.DeleteSetColumns(fk.Definition) ?? fk.Columns)
            : (null, []);
        if (verb is null) return null;
        var column = columns.FirstOrDefault(c => sides.Child.Column(c) is { } col && DefaultsToSequence(col));
        return column is null ? null : (verb, column);
    }

    private static bool DefaultsToSequence(Column column) =>
        column.Identity is not null || column.Default?.Contains("nextval(", StringComparison.Ordinal) == true;

    private static bool IsNoAction(char action) => action is 'a' or 'r';

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value) return i;
        }
        return -1;
    }

    /// <summary>An action as SQL writes it, from pg_constraint's letter.</summary>
    public static string Action(string verb, char code) => code switch
    {
        'c' => $"ON {verb} CASCADE",
        'n' => $"ON {verb} SET NULL",
        'd' => $"ON {verb} SET DEFAULT",
        'r' => $"ON {verb} RESTRICT",
        _ => $"ON {verb} NO ACTION",
    };
}
