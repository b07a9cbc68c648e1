using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// An empty database DbRecovery may fill and empty again (for replays and backup tests); it refuses one that is not
/// empty.
/// </summary>
public static class ScratchDatabase
{
    private const int DropBatch = 100;

    /// <summary>
    /// Fails unless <paramref name="scratch"/> holds no tables, views, sequences or types; returns its schemas.
    /// </summary>
    /// <exception cref="RecoveryException">It is not empty (<c>ScratchNotEmpty</c>).</exception>
    public static async Task<IReadOnlyList<string>> EnsureEmptyAsync(
        ConnectionTarget scratch,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var state = await SchemaReader
            .CaptureAsync(scratch, new SchemaReadOptions(), log, cancellationToken)
            .ConfigureAwait(false);
        if (!IsEmpty(state))
        {
            throw new RecoveryException(
                "ScratchNotEmpty",
                FailureKind.InvalidArgument,
                $"The scratch database {scratch.DisplayName} is not empty ({state.Tables.Count} tables); give an "
                    + "empty database, which DbRecovery will fill and empty again.",
                scratch.DisplayName
            );
        }

        return state.Schemas;
    }

    /// <summary>Whether a snapshot holds no tables, views, sequences or types.</summary>
    public static bool IsEmpty(SchemaState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Tables.Count == 0
            && state.Views.Count == 0
            && state.Sequences.Count == 0
            && state.Enums.Count == 0;
    }

    /// <summary>
    /// The steps that drop every schema of <paramref name="schemas"/>, re-creating those in <paramref name="keep"/>
    /// empty.
    /// </summary>
    public static IReadOnlyList<PlanStep> EmptyingSteps(
        IEnumerable<string> schemas,
        IReadOnlyCollection<string> keep
    ) =>
        schemas
            .Select(schema =>
                SqlStep.Of(
                    StepKind.Destroy,
                    keep.Contains(schema)
                        ? $"Drop schema {schema} with everything in it, and re-create it empty"
                        : $"Drop schema {schema} with everything in it",
                    $"DROP SCHEMA {SqlIdentifier.Quote(schema)} CASCADE"
                        + (keep.Contains(schema) ? $";\nCREATE SCHEMA {SqlIdentifier.Quote(schema)}" : string.Empty),
                    new QualifiedName(null, schema)
                )
            )
            .ToList();

    /// <summary>Empties the scratch database: drops every schema, re-creating those it started with.</summary>
    public static async Task ResetAsync(
        ConnectionTarget scratch,
        IReadOnlyList<string> initialSchemas,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(initialSchemas);
        var current = await SchemaReader
            .CaptureAsync(scratch, new SchemaReadOptions(), log, cancellationToken)
            .ConfigureAwait(false);
        await using var session = await DatabaseSession
            .OpenAsync(scratch, log, cancellationToken)
            .ConfigureAwait(false);

        // Tables go first, a batch per transaction: one DROP SCHEMA of thousands of tables needs more locks than
        // max_locks_per_transaction allows.
        foreach (var batch in current.Tables.Select(t => SqlIdentifier.Quote(t.Schema, t.Name)).Chunk(DropBatch))
        {
            await using var drop = session.CreateCommand($"DROP TABLE IF EXISTS {string.Join(", ", batch)} CASCADE");
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var step in EmptyingSteps(current.Schemas, [.. initialSchemas]))
        {
            await using var command = session.CreateCommand(step.Sql!);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Empties the scratch database after <paramref name="what"/>, however it ended; a failure to do so is a warning,
    /// not an error.
    /// </summary>
    public static async Task ResetQuietlyAsync(
        ConnectionTarget scratch,
        IReadOnlyList<string> initialSchemas,
        string what,
        IRecoveryLog log
    )
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentNullException.ThrowIfNull(log);
        try
        {
            await ResetAsync(scratch, initialSchemas, log, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RecoveryException ex)
        {
            log.Warning($"The scratch database {scratch.DisplayName} could not be emptied after {what}: {ex.Message}");
        }
    }
}
