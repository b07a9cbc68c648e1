using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Plans;

namespace DbRecovery.Engine.Execution;

/// <summary>
/// What an operation adds to the executor's run of its plan: checks between steps and before COMMIT, the
/// running of its external programs, and what it can tell of the database after an external step failed.
/// </summary>
public class PlanHooks
{
    /// <summary>Hooks that add nothing.</summary>
    public static PlanHooks None { get; } = new();

    /// <summary>Runs before step <paramref name="index"/> (fault-injection tests stop a run here).</summary>
    public virtual Task BeforeStepAsync(
        DatabaseSession session,
        PlanStep step,
        int index,
        CancellationToken cancellationToken
    ) => Task.CompletedTask;

    /// <summary>Hooks that add nothing but retry lock timeouts up to <paramref name="attempts"/> tries.</summary>
    public static PlanHooks Retrying(int attempts) => new RetryingHooks(attempts);

    /// <summary>
    /// How often a transaction or online step that could not get its lock within lock_timeout is tried; 1: never
    /// retried.
    /// </summary>
    public virtual int LockAttempts => 1;

    /// <summary>
    /// How often a transaction or online step the server rolled back to break a deadlock (or a serialization
    /// failure) is tried: the rollback left nothing of it, so trying again is safe, as PostgreSQL's manual advises.
    /// </summary>
    public virtual int ConflictAttempts => 3;

    /// <summary>
    /// Whether after-commit steps (validations, ANALYZE, whose locks hold back no read or write) wait for their locks
    /// without a lock timeout.
    /// </summary>
    public virtual bool WaitsForLocksAfterCommit => false;

    /// <summary>
    /// Runs after an in-transaction or online step, in its transaction (an index built CONCURRENTLY or a procedure has
    /// none).
    /// </summary>
    public virtual Task AfterStepAsync(
        DatabaseSession session,
        PlanStep step,
        int index,
        TimeSpan elapsed,
        CancellationToken cancellationToken
    ) => Task.CompletedTask;

    /// <summary>Runs in the transaction before it commits; throwing rolls it back.</summary>
    public virtual Task BeforeCommitAsync(DatabaseSession session, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>
    /// Runs an external step's program; returns its exit code and, when it failed, its error text (no secrets).
    /// </summary>
    public virtual Task<ExternalResult> RunExternalAsync(
        ExternalStep step,
        IRecoveryLog log,
        CancellationToken cancellationToken
    ) => throw new NotSupportedException($"This plan cannot run the external step '{step?.Action}'.");

    /// <summary>
    /// After an external step failed: what the database can be seen to hold now, for the journal and the error.
    /// </summary>
    public virtual Task<string?> DescribeStateAsync(DatabaseSession session, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(null);

    /// <summary>
    /// The error for a failed external step; <paramref name="state"/> is what the journal records of the database.
    /// </summary>
    public virtual RecoveryException ExternalFailure(ExternalStep step, ExternalResult result, string state) =>
        new(
            "ExternalStepFailed",
            FailureKind.InvalidOperation,
            $"{step?.Action} failed (exit code {result?.ExitCode}): {result?.Error} Database state: {state}",
            step?.Target
        );

    private sealed class RetryingHooks(int attempts) : PlanHooks
    {
        public override int LockAttempts => attempts;
    }
}
