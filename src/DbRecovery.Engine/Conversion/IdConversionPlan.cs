using System.Text;
using DbRecovery.Engine.Plans;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// A complete, printable plan to convert key columns and everything that references them: the steps run
/// in one transaction under ACCESS EXCLUSIVE locks, the foreign-key validations run after COMMIT (outside
/// the locked window), the expectations checked before COMMIT, and the inverse script.
/// </summary>
public sealed record IdConversionPlan
{
    /// <summary>The columns that change.</summary>
    public IReadOnlyList<PlannedColumn> Columns { get; init; } = [];

    /// <summary>Columns reached through foreign keys that already have the target type.</summary>
    public IReadOnlyList<PlannedColumn> AlreadyConverted { get; init; } = [];

    /// <summary>Columns of the source type that look related (named like keys) but no foreign key links; not converted.</summary>
    public IReadOnlyList<string> NotLinked { get; init; } = [];

    /// <summary>Things the user should know (PL/pgSQL bodies that mention a converted column, …).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Rewrites per table: rows, size, locks.</summary>
    public IReadOnlyList<TableRewrite> Rewrites { get; init; } = [];

    /// <summary>Steps inside the transaction, in order; the first takes every lock.</summary>
    public IReadOnlyList<PlanStep> Steps { get; init; } = [];

    /// <summary>Steps after COMMIT: VALIDATE CONSTRAINT for keys that were validated before, then ANALYZE.</summary>
    public IReadOnlyList<PlanStep> AfterCommit { get; init; } = [];

    /// <summary>The steps of the conversion back, for a reviewed rollback after COMMIT.</summary>
    public IReadOnlyList<PlanStep> InverseSteps { get; init; } = [];

    /// <summary>Foreign keys and their definitions as they must be after the conversion.</summary>
    public IReadOnlyDictionary<string, string> ExpectedForeignKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>Views and their definitions as they must be after the conversion.</summary>
    public IReadOnlyDictionary<string, string> ExpectedViews { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether there is anything to do.</summary>
    public bool IsEmpty => Steps.Count == 0 && AfterCommit.Count == 0;

    /// <summary>The free space the rewrites need on the server, at most (each table is copied once).</summary>
    public long DiskNeededBytes => Rewrites.Sum(r => r.SizeBytes);

    /// <summary>The whole conversion as one reviewable SQL script.</summary>
    public string ToScript(TimeSpan lockTimeout) => Script(Steps, AfterCommit, lockTimeout, "Convert key columns and every column that references them");

    /// <summary>The script that converts back.</summary>
    public string ToInverseScript(TimeSpan lockTimeout) => Script(InverseSteps, AfterCommit, lockTimeout, "Inverse: convert the columns back to their original types");

    private static string Script(IReadOnlyList<PlanStep> steps, IReadOnlyList<PlanStep> after, TimeSpan lockTimeout, string title)
    {
        var script = new StringBuilder()
            .AppendLine("-- " + title + " (DbRecovery)")
            .AppendLine("BEGIN;")
            .AppendLine(FormattableString.Invariant($"SET LOCAL lock_timeout = '{(int)lockTimeout.TotalMilliseconds}ms';"));
        foreach (var step in steps)
        {
            script.AppendLine("-- " + step.Action).AppendLine(step.DisplaySql + ";");
        }

        script.AppendLine("COMMIT;").AppendLine("-- After COMMIT, outside the locked window:");
        foreach (var step in after)
        {
            script.AppendLine(step.DisplaySql + ";");
        }

        return script.ToString();
    }
}
