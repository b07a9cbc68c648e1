namespace DbRecovery.Engine.Alembic.Operations;

/// <summary>An index as <c>op.create_index</c>, <c>sa.Index</c> or <c>CREATE INDEX</c> defines it.</summary>
public sealed record IndexDefinition
{
    /// <summary>The name, when given (otherwise the naming convention names it).</summary>
    public string? Name { get; init; }

    /// <summary>Key columns; null for an expression (<c>sa.text("lower(email)")</c>).</summary>
    public IReadOnlyList<string?> Columns { get; init; } = [];

    /// <summary>Whether it is unique.</summary>
    public bool Unique { get; init; }

    /// <summary>The access method (<c>postgresql_using</c>), btree by default.</summary>
    public string Method { get; init; } = "btree";

    /// <summary>The predicate of a partial index (<c>postgresql_where</c>) as written.</summary>
    public string? Predicate { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({string.Join(", ", Columns.Select(c => c ?? "expression"))})";
}
