using System.Globalization;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// Converts key columns and everything that references them: plans from a read-only catalog snapshot,
/// then applies the plan in one guarded transaction, verifies it before COMMIT (types, foreign keys,
/// views, defaults, row counts, a checksum of every converted column's values), and validates the
/// re-created foreign keys after COMMIT, in parallel, outside the locked window.
/// </summary>
public static class IdConversion
{
    /// <summary>
    /// Reads the catalog and plans the conversion of <paramref name="roots"/> to <paramref name="targetType"/>.
    /// </summary>
    /// <exception cref="RecoveryException">Unknown table or column, not a key, a target that cannot hold a UUID, or an
    /// object the conversion cannot carry.</exception>
    public static async Task<IdConversionPlan> PlanAsync(
        ConnectionTarget target,
        IReadOnlyList<ConversionRoot> roots,
        string targetType,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        ConversionFacts facts;
        try
        {
            facts = await ConversionCatalogReader.ReadAsync(transaction, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
        {
            throw session.Failure(ex);
        }

        var plan = IdConversionPlanner.Plan(facts, roots, targetType);
        if (plan.Columns.Any(c => c.To == "uuid"))
        {
            await CheckUuidValuesAsync(session, plan.Columns, cancellationToken).ConfigureAwait(false);
        }

        return plan;
    }

    /// <summary>
    /// Applies <paramref name="plan"/> with the one executor; returns one result per converted column.
    /// </summary>
    /// <param name="target">The database, with the lock timeout its sessions use.</param>
    /// <param name="plan">The approved plan.</param>
    /// <param name="journal">The journal and what to record.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="beforeStep">For fault-injection tests: runs before each step with its index.</param>
    public static async Task<IReadOnlyList<ColumnConversion>> ApplyAsync(
        ConnectionTarget target,
        IdConversionPlan plan,
        JournalContext journal,
        IRecoveryLog log,
        CancellationToken cancellationToken,
        Func<int, Task>? beforeStep = null
    )
    {
        ArgumentNullException.ThrowIfNull(plan);
        var run = new ConversionRun(plan, log, beforeStep);
        await PlanExecutor.RunAsync(target, plan, journal, run, log, cancellationToken).ConfigureAwait(false);
        return run.Results;
    }

    /// <summary>
    /// varchar to uuid: every value must be a UUID; otherwise the count and the first offending rows, nothing changed.
    /// </summary>
    internal static async Task CheckUuidValuesAsync(
        DatabaseSession session,
        IReadOnlyList<PlannedColumn> columns,
        CancellationToken cancellationToken
    )
    {
        const string UuidPattern = "^[{]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[}]?$";
        var examples = new List<string>();
        long total = 0;
        foreach (var column in columns.Where(c => c.To == "uuid"))
        {
            var quoted = SqlIdentifier.Quote(column.Column);
            var table = SqlIdentifier.Quote(column.Schema, column.Table);
            await using var command = session.CreateCommand(
                $"SELECT count(*) OVER (), ctid::text, {quoted}::text FROM {table} WHERE {quoted} IS NOT NULL AND "
                    + $"{quoted}::text !~* @pattern LIMIT 5"
            );
            command.Parameters.AddWithValue("pattern", UuidPattern);
            command.CommandTimeout = 0;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var first = true;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                total += first ? reader.GetInt64(0) : 0;
                first = false;
                examples.Add(
                    $"{column.Schema}.{column.Table}.{column.Column} row {reader.GetString(1)}: '{reader.GetString(2)}'"
                );
            }
        }

        if (examples.Count > 0)
        {
            throw new RecoveryException(
                "InvalidUuidValues",
                FailureKind.InvalidData,
                $"{total} values are not UUIDs, so the columns cannot become uuid; nothing was changed. First ones: "
                    + $"{string.Join("; ", examples)}.",
                examples[0]
            );
        }
    }
}
