using Follow.TargetSchema;
using Npgsql;

namespace Follow.Tests.TargetSchema;

/// <summary>What a failed statement of Follow's own DDL tells: the server's message, detail and hint, never row values.</summary>
public sealed class ErrorDescriptionTests
{
    [Fact]
    public void Citus_reason_in_the_detail_is_shown()
    {
        var error = new PostgresException("cannot create foreign key constraint", "ERROR", "ERROR", "0A000",
            detail: "SET NULL, SET DEFAULT or CASCADE is not supported in ON UPDATE operation when distribution key included in the foreign constraint.",
            hint: "change the key");

        Assert.Equal(
            "cannot create foreign key constraint (SET NULL, SET DEFAULT or CASCADE is not supported in ON UPDATE operation when distribution key included in the foreign constraint.) hint: change the key",
            SchemaCloner.Describe(error));
    }

    [Fact]
    public void The_detail_of_an_integrity_violation_is_left_out_as_it_quotes_rows()
    {
        var error = new PostgresException("could not create unique index \"users_email_key\"", "ERROR", "ERROR", "23505",
            detail: "Key (email)=(alice@example.com) is duplicated.");

        var description = SchemaCloner.Describe(error);

        Assert.DoesNotContain("alice", description);
        Assert.Contains("left out", description);
    }
}
