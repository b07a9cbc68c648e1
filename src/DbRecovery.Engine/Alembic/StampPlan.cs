using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// What stamping would do: the rows read (which must still be there when it runs), the rows it writes,
/// the steps with their SQL, and how the live schema compares with the target revision's.
/// </summary>
public sealed record StampPlan : IOperationPlan
{
    /// <inheritdoc />
    public string Operation =>
        "Stamp " + VersionTable + " with " + (Current.Count == 0 ? "base" : string.Join(", ", Current));

    /// <summary>The version table.</summary>
    public required QualifiedName VersionTable { get; init; }

    /// <summary>Whether the version table exists (when not, the plan creates it as Alembic does).</summary>
    public bool VersionTableExists { get; init; }

    /// <summary>The rows the plan expects to replace.</summary>
    public IReadOnlyList<string> Previous { get; init; } = [];

    /// <summary>The rows it writes (empty for base).</summary>
    public IReadOnlyList<string> Current { get; init; } = [];

    /// <summary>Table and column differences between the live schema and the target's expected schema.</summary>
    public IReadOnlyList<SchemaDifference> Differences { get; init; } = [];

    /// <summary>Columns that differ only in type (reported, never blocking).</summary>
    public IReadOnlyList<SchemaDifference> TypeDrift { get; init; } = [];

    /// <summary>
    /// Whether the plan stamps although the schema differs from the target's: only a plan made with force
    /// may be applied when <see cref="Differences"/> is not empty.
    /// </summary>
    public bool Forced { get; init; }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<PlanStep> Steps { get; init; } = [];
}
