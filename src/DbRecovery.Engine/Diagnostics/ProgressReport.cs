namespace DbRecovery.Engine.Diagnostics;

/// <summary>One progress update of a long operation.</summary>
/// <param name="Activity">What the operation is doing overall.</param>
/// <param name="Status">The current step.</param>
/// <param name="StepsDone">Steps finished so far.</param>
/// <param name="TotalSteps">All steps of the operation.</param>
public sealed record ProgressReport(string Activity, string Status, int StepsDone, int TotalSteps)
{
    /// <summary>Percentage complete, 0 to 100.</summary>
    public int PercentComplete => TotalSteps <= 0 ? 0 : Math.Clamp((int)((long)StepsDone * 100 / TotalSteps), 0, 100);

    /// <summary>The estimated seconds left, when the work can tell (a backfill's rate).</summary>
    public int? SecondsRemaining { get; init; }
}
