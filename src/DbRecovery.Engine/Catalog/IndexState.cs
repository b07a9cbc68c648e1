namespace DbRecovery.Engine.Catalog;

/// <summary>One index of a table.</summary>
public sealed record IndexState
{
    /// <summary>The index's name.</summary>
    public required string Name { get; init; }

    /// <summary>The full definition as <c>pg_get_indexdef</c> prints it.</summary>
    public required string Definition { get; init; }

    /// <summary>Whether the index enforces uniqueness.</summary>
    public bool IsUnique { get; init; }

    /// <summary>Whether the index backs the primary key.</summary>
    public bool IsPrimary { get; init; }

    /// <summary>Whether the index is valid (false after a failed <c>CREATE INDEX CONCURRENTLY</c>).</summary>
    public bool IsValid { get; init; }

    /// <summary>The access method, e.g. <c>btree</c>.</summary>
    public required string Method { get; init; }

    /// <summary>Key columns in order; null where the key is an expression.</summary>
    public IReadOnlyList<string?> Columns { get; init; } = [];

    /// <summary>The key expressions, when any key is an expression.</summary>
    public string? Expressions { get; init; }

    /// <summary>The <c>WHERE</c> predicate of a partial index.</summary>
    public string? Predicate { get; init; }

    /// <inheritdoc />
    public override string ToString() => Definition;
}
