using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// A complete, printable plan to convert key columns and everything that references them: the steps run
/// in one transaction under ACCESS EXCLUSIVE locks, the foreign-key validations run after COMMIT (outside
/// the locked window), the expectations checked before COMMIT, and the inverse script.
/// </summary>
public sealed record IdConversionPlan : IConversionPlan
{
    /// <summary>The columns that change.</summary>
    public IReadOnlyList<PlannedColumn> Columns { get; init; } = [];

    /// <summary>Columns reached through foreign keys that already have the target type.</summary>
    public IReadOnlyList<PlannedColumn> AlreadyConverted { get; init; } = [];

    /// <summary>
    /// Columns of the source type that look related (named like keys) but no foreign key links; not converted.
    /// </summary>
    public IReadOnlyList<string> NotLinked { get; init; } = [];

    /// <summary>Things the user should know (PL/pgSQL bodies that mention a converted column, …).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Rewrites per table: rows, size, locks.</summary>
    public IReadOnlyList<TableRewrite> Rewrites { get; init; } = [];

    /// <inheritdoc />
    public string Operation => "Convert key columns and every column that references them";

    /// <summary>
    /// The steps, in order: in one transaction (the first two take every lock; the rewrites; the re-created
    /// dependents), then after COMMIT the validation of re-created foreign keys and ANALYZE.
    /// </summary>
    public IReadOnlyList<PlanStep> Steps { get; init; } = [];

    /// <summary>The steps of the conversion back, for a reviewed rollback after COMMIT.</summary>
    public IReadOnlyList<PlanStep> InverseSteps { get; init; } = [];

    /// <summary>Foreign keys and their definitions as they must be after the conversion.</summary>
    public IReadOnlyDictionary<(QualifiedName Table, string Name), string> ExpectedForeignKeys { get; init; } =
        new Dictionary<(QualifiedName, string), string>();

    /// <summary>Views and their definitions as they must be after the conversion.</summary>
    public IReadOnlyDictionary<QualifiedName, string> ExpectedViews { get; init; } =
        new Dictionary<QualifiedName, string>();

    /// <summary>Whether there is anything to do.</summary>
    public bool IsEmpty => Steps.Count == 0;

    /// <summary>The free space the rewrites need on the server, at most (each table is copied once).</summary>
    public long DiskNeededBytes => Rewrites.Sum(r => r.SizeBytes);

    /// <summary>The inverse as a plan of its own.</summary>
    public IOperationPlan Inverse =>
        new OperationPlan("Inverse: convert the columns back to their original types", InverseSteps);

    /// <summary>The whole conversion as one reviewable SQL script.</summary>
    public string ToScript(TimeSpan lockTimeout) => PlanScript.Render(this, lockTimeout);

    /// <summary>The script that converts back.</summary>
    public string ToInverseScript(TimeSpan lockTimeout) => PlanScript.Render(Inverse, lockTimeout);
}
