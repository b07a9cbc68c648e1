namespace DbRecovery.Engine.Alembic.Operations;

/// <summary>A foreign key as a migration defines it.</summary>
public sealed record ForeignKeyDefinition
{
    /// <summary>The constraint name, when given.</summary>
    public string? Name { get; init; }

    /// <summary>Referencing columns.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Schema of the referenced table, when given.</summary>
    public string? ReferencedSchema { get; init; }

    /// <summary>The referenced table.</summary>
    public required string ReferencedTable { get; init; }

    /// <summary>Referenced columns.</summary>
    public IReadOnlyList<string> ReferencedColumns { get; init; } = [];

    /// <summary>The ON DELETE action as written (e.g. <c>CASCADE</c>), when given.</summary>
    public string? OnDelete { get; init; }

    /// <summary>The ON UPDATE action as written, when given.</summary>
    public string? OnUpdate { get; init; }

    /// <summary>The MATCH type as written (<c>FULL</c>), when given.</summary>
    public string? Match { get; init; }

    /// <summary>Whether it is DEFERRABLE.</summary>
    public bool Deferrable { get; init; }

    /// <summary>Whether it is INITIALLY DEFERRED.</summary>
    public bool InitiallyDeferred { get; init; }

    /// <summary>
    /// <c>use_alter=True</c>: PostgreSQL supports ALTER, so CREATE TABLE leaves the key out and Alembic never adds it.
    /// </summary>
    public bool UseAlter { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"({string.Join(", ", Columns)}) -> {ReferencedTable}({string.Join(", ", ReferencedColumns)})";
}
