using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Plans;

namespace DbRecovery.Engine.Execution;

/// <summary>
/// An online step whose work is a procedure rather than one statement (a backfill in batches of short
/// transactions, resumable where it stopped). It is shown as the SQL a reader could run to the same end.
/// </summary>
public abstract record ProceduralStep : PlanStep
{
    /// <summary>An online step.</summary>
    protected ProceduralStep() => Phase = StepPhase.Online;

    /// <summary>Does the work on <paramref name="session"/>, committing as it goes.</summary>
    public abstract Task RunAsync(DatabaseSession session, IRecoveryLog log, CancellationToken cancellationToken);
}
