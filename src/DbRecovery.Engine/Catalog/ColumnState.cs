namespace DbRecovery.Engine.Catalog;

/// <summary>One column of a table.</summary>
public sealed record ColumnState
{
    /// <summary>The column's name.</summary>
    public required string Name { get; init; }

    /// <summary>Position in the table, from 1 (gaps where columns were dropped).</summary>
    public int Ordinal { get; init; }

    /// <summary>The type as PostgreSQL formats it, e.g. <c>character varying(36)</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Whether NULL is allowed.</summary>
    public bool IsNullable { get; init; }

    /// <summary>The default expression, e.g. <c>gen_random_uuid()</c>; null when none.</summary>
    public string? Default { get; init; }

    /// <summary>Whether and how the column is an identity column.</summary>
    public ColumnIdentity Identity { get; init; }

    /// <summary>For a generated column: its expression.</summary>
    public string? GenerationExpression { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Type}";
}
