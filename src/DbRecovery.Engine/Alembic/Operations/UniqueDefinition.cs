namespace DbRecovery.Engine.Alembic.Operations;

/// <summary>
/// A unique constraint as <c>sa.UniqueConstraint</c>, <c>op.create_unique_constraint</c> or <c>UNIQUE (…)</c> defines
/// it.
/// </summary>
public sealed record UniqueDefinition
{
    /// <summary>The name, when given.</summary>
    public string? Name { get; init; }

    /// <summary>The columns.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({string.Join(", ", Columns)})";
}
