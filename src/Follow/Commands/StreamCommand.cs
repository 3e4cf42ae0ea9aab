using System.CommandLine;
using Follow.Apply;
using Follow.Decode;
using Follow.State;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Pipeline;
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
        var all = new Option<bool>("--all")
        {
            Description = "Also drop the follow schema on the target (the clone's record, its progress, the sentinel): after the cutover, or to abandon the migration.",
        };
        var cleanup = new Command("cleanup", "Drop the replication slot and publication on the source, and the replication origin and the stream's look-up indexes on the target.")
        {
            source, target, slotName, all,
        };
        cleanup.SetAction(async (parse, cancellationToken) =>
        {
            var sourceInfo = context.Remember(ConnectionResolver.Require(ConnectionRole.Source, parse.GetValue(source), null, "", context.Environment));
            var targetInfo = context.Remember(ConnectionResolver.Require(ConnectionRole.Target, parse.GetValue(target), null, "", context.Environment));
            // The slot and publication the clone recorded, unless named.
            var recorded = await MigrationRecord.ReadAsync(targetInfo, cancellationToken);
            var name = PlanAgreement.SlotOf(recorded, parse.GetValue(slotName)!, parse.GetResult(slotName) is { Implicit: false }, "follow stream cleanup");
            await using (var connection = await sourceInfo.OpenAsync("follow", ExitCode.SourceFailure, cancellationToken))
            {
                await SlotSnapshot.DropSlotAndPublicationAsync(connection, name, name, cancellationToken);
            }
            string originName;
            int indexes;
            await using (var connection = await targetInfo.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken))
            {
                originName = await ReplicationOrigin.DropAsync(connection, cancellationToken);
                indexes = await LookupIndexes.DropAllAsync(connection, cancellationToken);
                if (parse.GetValue(all)) await TargetState.DropAsync(connection, cancellationToken);
            }
            context.Output.WriteLine($"dropped slot and publication {name}, the replication origin {originName} and {indexes} look-up indexes"
                + (parse.GetValue(all) ? ", and the follow schema on the target" : ""));
            return (int)ExitCode.Done;
        });
        return new Command("stream", "Manage the change stream's resources.") { cleanup };
    }
}
