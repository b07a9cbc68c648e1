using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// A complete, printable plan to convert key columns and everything that references them while the application
/// keeps reading and writing: expand (shadow columns kept equal by a trigger), backfill in batches, indexes built
/// CONCURRENTLY, a CHECK validated as the proof, one short metadata-only swap transaction over every table, the
/// contract that drops the old columns, and the foreign-key validations after it. The converted columns move to
/// the end of their tables.
/// </summary>
public sealed record OnlineConversionPlan : IConversionPlan
{
    /// <inheritdoc />
    public IReadOnlyList<PlannedColumn> Columns { get; init; } = [];

    /// <inheritdoc />
    public IReadOnlyList<PlannedColumn> AlreadyConverted { get; init; } = [];

    /// <inheritdoc />
    public IReadOnlyList<string> NotLinked { get; init; } = [];

    /// <inheritdoc />
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <inheritdoc />
    public string Operation => "Convert key columns and every column that references them, online";

    /// <summary>
    /// The steps, in order: online ones each on its own, the swap in one transaction, the contract, then after COMMIT.
    /// </summary>
    public IReadOnlyList<PlanStep> Steps { get; init; } = [];

    /// <summary>The steps of the online conversion back.</summary>
    public IReadOnlyList<PlanStep> InverseSteps { get; init; } = [];

    /// <summary>
    /// Whether it continues an online conversion an earlier run left unfinished (what it finds done, it skips).
    /// </summary>
    public bool Resumes { get; init; }

    /// <summary>
    /// Whether the swap of that earlier run committed, so only the contract and validations are left.
    /// </summary>
    public bool Swapped { get; init; }

    /// <inheritdoc />
    public bool IsEmpty => Steps.Count == 0;

    internal IReadOnlyList<OnlineTable> Tables { get; init; } = [];

    internal IReadOnlyDictionary<(QualifiedName Table, string Name), string> ExpectedForeignKeys { get; init; } =
        new Dictionary<(QualifiedName, string), string>();

    internal IReadOnlyDictionary<QualifiedName, string> ExpectedViews { get; init; } =
        new Dictionary<QualifiedName, string>();

    /// <summary>
    /// The indexes on converted columns and their definitions (pg_get_indexdef) as they must be after the swap.
    /// </summary>
    internal IReadOnlyDictionary<(QualifiedName Table, string Name), string> ExpectedIndexes { get; init; } =
        new Dictionary<(QualifiedName, string), string>();

    /// <inheritdoc />
    public string ToScript(TimeSpan lockTimeout) => PlanScript.Render(this, lockTimeout);

    /// <inheritdoc />
    public string ToInverseScript(TimeSpan lockTimeout) =>
        PlanScript.Render(
            new OperationPlan("Inverse: convert the columns back to their original types, online", InverseSteps),
            lockTimeout
        );
}
