using System.CommandLine;
using Follow.Apply;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Npgsql;

namespace Follow.Cli.Commands;

/// <summary><c>follow stream cleanup</c>: drops the slot and the publication on the source, the origin on the target.</summary>
public static class StreamCommand
{
    public static Command Create(CliContext context)
    {
        var source = CommonOptions.Source();
        var target = CommonOptions.Target();
        var slotName = CommonOptions.SlotName();
        var cleanup = new Command("cleanup", "Drop the replication slot and publication on the source, and the replication origin and the stream's look-up indexes on the target.")
        {
            source, target, slotName,
        };
        cleanup.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(slotName)!;
            var sourceInfo = context.Remember(ConnectionResolver.Require(ConnectionRole.Source, parse.GetValue(source), null, "", context.Environment));
            await using (var connection = await sourceInfo.OpenAsync("follow", ExitCode.SourceFailure, cancellationToken))
            {
                await using var slot = new NpgsqlCommand("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()", connection);
                slot.Parameters.Add(new NpgsqlParameter { Value = name });
                await slot.ExecuteNonQueryAsync(cancellationToken);
                await using var publication = new NpgsqlCommand($"DROP PUBLICATION IF EXISTS {Sql.Ident(name)}", connection);
                await publication.ExecuteNonQueryAsync(cancellationToken);
            }
            var targetInfo = context.Remember(ConnectionResolver.Require(ConnectionRole.Target, parse.GetValue(target), null, "", context.Environment));
            string originName;
            int indexes;
            await using (var connection = await targetInfo.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
            {
                originName = await ChangeApplier.OriginNameAsync(connection, cancellationToken);
                await using var origin = new NpgsqlCommand(
                    "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = $1", connection);
                origin.Parameters.Add(new NpgsqlParameter { Value = originName });
                await origin.ExecuteNonQueryAsync(cancellationToken);
                indexes = await LookupIndexes.DropAllAsync(connection, cancellationToken);
            }
            context.Output.WriteLine($"dropped slot and publication {name}, the replication origin {originName} and {indexes} look-up indexes");
            return (int)ExitCode.Done;
        });
        return new Command("stream", "Manage the change stream's resources.") { cleanup };
    }
}
