using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Connections;

/// <summary>An empty database DbRecovery may fill and empty again (for replays and backup tests); it refuses one that is not empty.</summary>
public static class ScratchDatabase
{
    /// <summary>Fails unless <paramref name="scratch"/> holds no tables, views, sequences or types; returns its schemas.</summary>
    /// <exception cref="RecoveryException">It is not empty (<c>ScratchNotEmpty</c>).</exception>
    public static async Task<IReadOnlyList<string>> EnsureEmptyAsync(ConnectionTarget scratch, IRecoveryLog log, CancellationToken cancellationToken)
    {
        var state = await SchemaReader.CaptureAsync(scratch, new SchemaReadOptions(), log, cancellationToken).ConfigureAwait(false);
        if (state.Tables.Count > 0 || state.Views.Count > 0 || state.Sequences.Count > 0 || state.Enums.Count > 0)
        {
            throw new RecoveryException("ScratchNotEmpty", FailureKind.InvalidArgument,
                $"The scratch database {scratch.DisplayName} is not empty ({state.Tables.Count} tables); give an empty database, which DbRecovery will fill and empty again.", scratch.DisplayName);
        }

        return state.Schemas;
    }

    /// <summary>Empties the scratch database: drops every schema, re-creating those it started with.</summary>
    public static async Task ResetAsync(ConnectionTarget scratch, IReadOnlyList<string> initialSchemas, IRecoveryLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(initialSchemas);
        var current = await SchemaReader.CaptureAsync(scratch, new SchemaReadOptions(), log, cancellationToken).ConfigureAwait(false);
        await using var session = await DatabaseSession.OpenAsync(scratch, log, cancellationToken).ConfigureAwait(false);
        foreach (var schema in current.Schemas)
        {
            var sql = $"DROP SCHEMA {SqlIdentifier.Quote(schema)} CASCADE" + (initialSchemas.Contains(schema) ? $"; CREATE SCHEMA {SqlIdentifier.Quote(schema)}" : string.Empty);
            await using var command = session.CreateCommand(sql);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
