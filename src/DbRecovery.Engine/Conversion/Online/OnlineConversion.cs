using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// Converts key columns and everything that references them while the application keeps working: the same scope,
/// checks and end state as <see cref="IdConversion"/>, reached through shadow columns, a backfill and one short
/// metadata-only swap. Every step is resumable: a rerun continues what a killed run left, -Abort removes it.
/// </summary>
public static class OnlineConversion
{
    /// <summary>
    /// The lock timeout of each try: short, because while a DDL statement waits for its lock every query on the
    /// table queues behind it; a try that gives up is repeated after a pause.
    /// </summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Reads the catalog (and any unfinished online conversion) and plans the online conversion of
    /// <paramref name="roots"/> to <paramref name="targetType"/>.
    /// </summary>
    /// <exception cref="RecoveryException">As the offline plan, plus what the online path refuses (partitioned or
    /// published tables, materialized views…) and another conversion in progress.</exception>
    public static async Task<OnlineConversionPlan> PlanAsync(
        ConnectionTarget target,
        IReadOnlyList<ConversionRoot> roots,
        string targetType,
        OnlineThrottle throttle,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(throttle);
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        OnlineConversionPlan plan;
        await using (var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var facts = await ConversionCatalogReader
                    .ReadAsync(transaction, cancellationToken)
                    .ConfigureAwait(false);
                var scope = IdConversionPlanner.Scope(facts, roots, targetType);
                var tables = scope.Convert.Select(c => (c.Schema, c.Table)).Distinct().ToList();
                var online = await OnlineCatalogReader
                    .ReadAsync(transaction, tables, cancellationToken)
                    .ConfigureAwait(false);
                plan = OnlineConversionPlanner.Plan(facts, online, scope, throttle);
            }
            catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
            {
                throw session.Failure(ex);
            }
        }

        if (!plan.Resumes)
        {
            await IdConversion.CheckUuidValuesAsync(session, plan.Columns, cancellationToken).ConfigureAwait(false);
        }

        return plan;
    }

    /// <summary>
    /// Runs <paramref name="plan"/> with the one executor; returns one result per converted column (none when only the
    /// contract was left).
    /// </summary>
    /// <param name="target">The database, with the lock timeout of each try.</param>
    /// <param name="plan">The approved plan.</param>
    /// <param name="journal">The journal and what to record.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work; what was done stays recorded, and a rerun continues
    /// it.</param>
    /// <param name="beforeStep">For fault-injection tests: runs before each step with its index.</param>
    public static async Task<IReadOnlyList<ColumnConversion>> ApplyAsync(
        ConnectionTarget target,
        OnlineConversionPlan plan,
        JournalContext journal,
        IRecoveryLog log,
        CancellationToken cancellationToken,
        Func<int, Task>? beforeStep = null
    )
    {
        ArgumentNullException.ThrowIfNull(plan);
        var run = new OnlineConversionRun(plan, log, beforeStep);
        try
        {
            await PlanExecutor.RunAsync(target, plan, journal, run, log, cancellationToken).ConfigureAwait(false);
        }
        catch (RecoveryException ex) when (ex.Kind is FailureKind.ConnectionError or FailureKind.ServerError)
        {
            // Interrupted (a crash, a terminated session): say that nothing is lost and how to go on.
            throw new RecoveryException(
                ex.ErrorId,
                ex.Kind,
                $"{ex.Message.TrimEnd('.')}. {Resume}",
                ex.Target,
                ex.InnerException ?? ex
            );
        }

        return run.Results;
    }

    /// <summary>What an interrupted online conversion's error adds.</summary>
    public const string Resume =
        "The online conversion keeps its state in the database: run the same Convert-IdColumns -Online "
        + "command again to resume where it stopped, or Convert-IdColumns -Abort to remove it (until its swap has "
        + "committed).";

    /// <summary>
    /// Plans the removal of an unfinished online conversion: its shadows, triggers, indexes, CHECKs and state.
    /// </summary>
    /// <exception cref="RecoveryException">There is none (NoOnlineConversion), or its swap already
    /// committed.</exception>
    public static async Task<OperationPlan> PlanAbortAsync(
        ConnectionTarget target,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await OnlineCatalogReader.ReadStateAsync(session, cancellationToken).ConfigureAwait(false)
                ?? throw new RecoveryException(
                    "NoOnlineConversion",
                    FailureKind.ObjectNotFound,
                    $"{target.DisplayName} has no unfinished online conversion to abort; nothing was changed.",
                    target.DisplayName
                );
            var facts = await OnlineCatalogReader
                .ReadAsync(
                    transaction,
                    state.Columns.Select(c => (c.Schema, c.Table)).Distinct().ToList(),
                    cancellationToken
                )
                .ConfigureAwait(false);
            return OnlineConversionPlanner.Abort(state, facts.Tables);
        }
        catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
        {
            throw session.Failure(ex);
        }
    }

    /// <summary>Runs an abort plan, each step on its own with retried locks; returns the tables it restored.</summary>
    public static async Task<IReadOnlyList<QualifiedName>> AbortAsync(
        ConnectionTarget target,
        OperationPlan plan,
        JournalContext journal,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(plan);
        await PlanExecutor
            .RunAsync(target, plan, journal, PlanHooks.Retrying(OnlineConversionRun.Attempts), log, cancellationToken)
            .ConfigureAwait(false);
        return plan.Steps.SelectMany(s => s.Targets).Where(t => t.Schema != OnlineNames.Schema).Distinct().ToList();
    }
}
