using System.Globalization;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;

namespace DbRecovery.Engine.Execution;

/// <summary>
/// The one executor of state-changing plans. It holds DbRecovery's advisory lock from the first step to the
/// last (after-commit and external steps included), runs consecutive in-transaction steps in one transaction
/// with <c>lock_timeout</c>, runs after-commit steps in parallel sessions and external steps through the plan's
/// hooks, and journals the plan before anything changes and, when it ends, an outcome true to each phase:
/// <c>RolledBack</c> only where a transaction really rolled back.
/// </summary>
public static class PlanExecutor
{
    /// <summary>How many sessions run after-commit steps (validations) at once.</summary>
    public const int AfterCommitConnections = 4;

    /// <summary>The lock timeout of a target that has none.</summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="plan"/> on <paramref name="target"/>.</summary>
    /// <exception cref="RecoveryException">The lock is held elsewhere, a step failed, or a check of the hooks failed;
    /// the journal says what was left.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the journal says what was left.</exception>
    public static async Task RunAsync(
        ConnectionTarget target,
        IOperationPlan plan,
        JournalContext journal,
        PlanHooks hooks,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(hooks);
        var guarded = target.LockTimeout is null ? target.WithLockTimeout(DefaultLockTimeout) : target;
        await using var session = await DatabaseSession
            .OpenAsync(guarded, log, cancellationToken)
            .ConfigureAwait(false);
        await RecoveryLock.AcquireAsync(session, cancellationToken).ConfigureAwait(false);
        var started = journal.Start(guarded.DisplayName, guarded.Username, plan.Steps.Select(s => s.Display).ToList());
        var run = new Run(plan, session, hooks, log);
        try
        {
            foreach (var phase in Phases(plan.Steps))
            {
                using var locked = phase[0].Step.Phase is StepPhase.AfterCommit or StepPhase.Online
                    ? null
                    : run.Locking();
                await (
                    phase[0].Step.Phase switch
                    {
                        StepPhase.InTransaction => run.WithLockRetryAsync(
                            () => run.TransactionAsync(phase, cancellationToken),
                            cancellationToken
                        ),
                        StepPhase.Online => run.OnlineAsync(phase, cancellationToken),
                        StepPhase.AfterCommit => run.AfterCommitAsync(phase, journal.Operation, cancellationToken),
                        _ => run.ExternalAsync(phase, cancellationToken),
                    }
                ).ConfigureAwait(false);
            }

            run.Outcome = ExecutionOutcome.Committed;
        }
        catch (Exception ex)
        {
            run.Error = ex is OperationCanceledException ? "Canceled by the user." : ex.Message;
            run.Outcome ??=
                run.Committed.Count == 0
                    ? ExecutionOutcome.RolledBack
                    : ExecutionOutcome.PartlyCommitted(string.Join("; ", run.Committed), ex.Message);
            throw;
        }
        finally
        {
            journal.Journal.Append(
                started with
                {
                    CompletedAt = DateTimeOffset.UtcNow,
                    Outcome = run.Outcome ?? ExecutionOutcome.RolledBack,
                    Error = run.Error,
                    LockWindow = run.LockWindow,
                }
            );
        }
    }

    private static List<List<(PlanStep Step, int Index)>> Phases(IReadOnlyList<PlanStep> steps)
    {
        var phases = new List<List<(PlanStep, int)>>();
        for (var i = 0; i < steps.Count; i++)
        {
            if (
                i == 0
                || steps[i].Phase != steps[i - 1].Phase
                || steps[i].Phase is StepPhase.External or StepPhase.Online
            )
            {
                phases.Add([]);
            }

            phases[^1].Add((steps[i], i));
        }

        return phases;
    }

    private static async Task ExecuteAsync(DatabaseSession session, PlanStep step, CancellationToken cancellationToken)
    {
        var sql =
            step as SqlStep
            ?? throw new InvalidOperationException(
                $"'{step.Action}' is a {step.GetType().Name}, which cannot run in phase {step.Phase}."
            );
        await using var command = session.CreateCommand(sql.SecretStatement ?? sql.Statement, sql.Display);

        // A step runs as long as its work takes (a rewrite, an index build, a validation of millions of rows): its
        // lock waits are bounded by lock_timeout, and cancelling the run (Ctrl+C) cancels the statement.
        command.CommandTimeout = 0;
        foreach (var value in sql.Parameters)
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class Run(IOperationPlan plan, DatabaseSession session, PlanHooks hooks, IRecoveryLog log)
    {
        public List<string> Committed { get; } = [];

        public string? Outcome { get; set; }

        public string? Error { get; set; }

        /// <summary>
        /// How long the plan held the locks of its changes: its transactions and external commands, not the work after
        /// COMMIT.
        /// </summary>
        public TimeSpan LockWindow { get; private set; }

        public IDisposable Locking() => new LockTimer(this);

        public async Task TransactionAsync(List<(PlanStep Step, int Index)> steps, CancellationToken cancellationToken)
        {
            try
            {
                await using var transaction = await session
                    .Connection.BeginTransactionAsync(cancellationToken)
                    .ConfigureAwait(false);
                foreach (var (step, index) in steps)
                {
                    await hooks.BeforeStepAsync(session, step, index, cancellationToken).ConfigureAwait(false);
                    log.Progress(new ProgressReport(plan.Operation, step.Action, index, plan.Steps.Count));
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    await ExecuteAsync(session, step, cancellationToken).ConfigureAwait(false);
                    await hooks
                        .AfterStepAsync(session, step, index, watch.Elapsed, cancellationToken)
                        .ConfigureAwait(false);
                }

                await hooks.BeforeCommitAsync(session, cancellationToken).ConfigureAwait(false);
                log.Verbose("COMMIT");
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
            {
                throw session.Failure(ex);
            }

            Committed.Add(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{steps.Count} statement(s) on "
                        + $"{string.Join(", ", steps.SelectMany(s => s.Step.Targets).Distinct().Take(3))}"
                )
            );
        }

        /// <summary>
        /// Runs <paramref name="attempt"/> until it gets its locks: a lock timeout (which rolled the attempt back) is
        /// retried after a growing pause, as often as the hooks allow, so a long transaction elsewhere is waited out
        /// in short tries instead of one long queue that holds everyone behind it. So is a deadlock the server broke
        /// by rolling this attempt back: the application's transactions take their locks in their own order, which
        /// the conversion's SHARE-then-ACCESS EXCLUSIVE locks can cross.
        /// </summary>
        public async Task WithLockRetryAsync(Func<Task> attempt, CancellationToken cancellationToken)
        {
            for (var tries = 1; ; tries++)
            {
                try
                {
                    await attempt().ConfigureAwait(false);
                    return;
                }
                catch (RecoveryException ex) when (tries < Attempts(ex))
                {
                    var pause = TimeSpan.FromMilliseconds(
                        Math.Min(250 * Math.Pow(2, tries - 1), 10_000) * (0.75 + (Random.Shared.NextDouble() / 2))
                    );
                    var what =
                        ex.ErrorId == "LockTimeout"
                            ? "A lock was not granted within lock_timeout"
                            : $"The server rolled this attempt back ({ex.InnerException?.Message ?? ex.Message})";
                    log.Verbose(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"{what} (try {tries} of {Attempts(ex)}); trying again in {pause.TotalSeconds:F1} s"
                        )
                    );
                    await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>How often an attempt that failed this way is tried in all; 1 for anything else.</summary>
        private int Attempts(RecoveryException failure) =>
            failure.ErrorId switch
            {
                "LockTimeout" => hooks.LockAttempts,
                "TransactionConflict" => hooks.ConflictAttempts,
                _ => 1,
            };

        public async Task OnlineAsync(List<(PlanStep Step, int Index)> steps, CancellationToken cancellationToken)
        {
            foreach (var (step, index) in steps)
            {
                log.Progress(new ProgressReport(plan.Operation, step.Action, index, plan.Steps.Count));
                await WithLockRetryAsync(() => OnlineStepAsync(step, index, cancellationToken), cancellationToken)
                    .ConfigureAwait(false);
                Committed.Add(step.Action);
            }
        }

        private async Task OnlineStepAsync(PlanStep step, int index, CancellationToken cancellationToken)
        {
            try
            {
                await hooks.BeforeStepAsync(session, step, index, cancellationToken).ConfigureAwait(false);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                if (step is ProceduralStep procedure)
                {
                    await procedure.RunAsync(session, log, cancellationToken).ConfigureAwait(false);
                    await hooks
                        .AfterStepAsync(session, step, index, watch.Elapsed, cancellationToken)
                        .ConfigureAwait(false);
                    return;
                }

                await using var transaction = step is SqlStep { Transactional: true }
                    ? await session.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false)
                    : null;
                await ExecuteAsync(session, step, cancellationToken).ConfigureAwait(false);
                await hooks
                    .AfterStepAsync(session, step, index, watch.Elapsed, cancellationToken)
                    .ConfigureAwait(false);
                if (transaction is not null)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
            {
                throw session.Failure(ex);
            }
        }

        public async Task AfterCommitAsync(
            List<(PlanStep Step, int Index)> steps,
            string operation,
            CancellationToken cancellationToken
        )
        {
            var done = 0;
            using var slots = new SemaphoreSlim(AfterCommitConnections);
            var failures = new List<(PlanStep Step, Exception Error)>();
            // Steps on one table run one after another (VALIDATE and ANALYZE take SHARE UPDATE EXCLUSIVE, which
            // conflicts with itself); tables run in parallel.
            await Task.WhenAll(
                    steps
                        .GroupBy(s => s.Step.Targets.FirstOrDefault())
                        .Select(async group =>
                        {
                            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                            try
                            {
                                foreach (var item in group)
                                {
                                    try
                                    {
                                        await using var own = await DatabaseSession
                                            .OpenAsync(session.Target, log, cancellationToken)
                                            .ConfigureAwait(false);
                                        try
                                        {
                                            if (hooks.WaitsForLocksAfterCommit)
                                            {
                                                await own.SetLockTimeoutAsync(null, cancellationToken)
                                                    .ConfigureAwait(false);
                                            }

                                            await ExecuteAsync(own, item.Step, cancellationToken).ConfigureAwait(false);
                                        }
                                        catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
                                        {
                                            throw own.Failure(ex);
                                        }

                                        log.Progress(
                                            new ProgressReport(
                                                plan.Operation + ": after COMMIT",
                                                item.Step.Action,
                                                Interlocked.Increment(ref done),
                                                steps.Count
                                            )
                                        );
                                    }
                                    catch (Exception ex) when (ex is RecoveryException)
                                    {
                                        lock (failures)
                                        {
                                            failures.Add((item.Step, ex));
                                        }
                                    }
                                }
                            }
                            finally
                            {
                                slots.Release();
                            }
                        })
                )
                .ConfigureAwait(false);
            if (failures.Count == 0)
            {
                return;
            }

            var (step, error) = failures.OrderBy(f => steps.FindIndex(s => s.Step == f.Step)).First();
            var interrupted = failures.All(f =>
                f.Error
                    is RecoveryException
                    {
                        Kind: FailureKind.ResourceBusy or FailureKind.ConnectionError or FailureKind.Timeout
                    }
            );
            Outcome = interrupted ? ExecutionOutcome.ValidationPending : ExecutionOutcome.ValidationFailed(step.Target);
            throw new RecoveryException(
                "ValidationFailed",
                FailureKind.InvalidOperation,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The change is committed, but {failures.Count} step(s) after COMMIT failed, first "
                        + $"'{step.Action}': {error.Message} Run the same {operation} again to finish."
                ),
                step.Target,
                error
            );
        }

        public async Task ExternalAsync(List<(PlanStep Step, int Index)> steps, CancellationToken cancellationToken)
        {
            foreach (var (step, index) in steps)
            {
                log.Progress(new ProgressReport(plan.Operation, step.Action, index, plan.Steps.Count));
                log.Verbose("$ " + step.Display);
                ExternalResult result;
                try
                {
                    result = await hooks
                        .RunExternalAsync((ExternalStep)step, log, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Outcome = ExecutionOutcome.ExternalInterrupted(
                        ex is OperationCanceledException ? "canceled" : ex.Message,
                        await StateAfterAsync(step).ConfigureAwait(false)
                    );
                    throw;
                }

                if (result.ExitCode != 0)
                {
                    var state = await StateAfterAsync(step).ConfigureAwait(false);
                    Outcome = ExecutionOutcome.ExternalFailed(result.ExitCode, state);
                    throw hooks.ExternalFailure((ExternalStep)step, result, state);
                }

                Committed.Add(step.Action);
            }
        }

        /// <summary>
        /// What the database holds after an external step failed, read with a timeout of its own (the run's token may
        /// be cancelled).
        /// </summary>
        private async Task<string> StateAfterAsync(PlanStep step)
        {
            using var cleanup = new CancellationTokenSource(CleanupTimeout);
            try
            {
                return step.StateIfFailed
                    ?? await hooks.DescribeStateAsync(session, cleanup.Token).ConfigureAwait(false)
                    ?? "unknown: inspect it before going on";
            }
            catch (Exception ex)
                when (ex is RecoveryException or OperationCanceledException || DatabaseSession.IsConnectionFailure(ex))
            {
                return "unknown (it could not be read: " + ex.Message + "); inspect it before going on";
            }
        }

        private sealed class LockTimer(Run run) : IDisposable
        {
            private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();

            public void Dispose() => run.LockWindow += _watch.Elapsed;
        }
    }
}
