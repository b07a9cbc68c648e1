namespace DbRecovery.Engine.Alembic.Operations;

/// <summary>
/// An enum type as <c>sa.Enum(...)</c>, <c>postgresql.ENUM(...)</c> or <c>CREATE TYPE … AS ENUM</c> defines it.
/// </summary>
public sealed record EnumDefinition
{
    /// <summary>The type's name.</summary>
    public required string Name { get; init; }

    /// <summary>The schema, when given.</summary>
    public string? Schema { get; init; }

    /// <summary>The labels in order.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>
    /// Whether creating a table with the column creates the type (false for <c>create_type=False</c>).
    /// </summary>
    public bool CreatedWithTable { get; init; } = true;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({string.Join(", ", Labels)})";
}
