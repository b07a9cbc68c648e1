namespace DbRecovery.Engine.Planning;

/// <summary>A key column the recovery converts (with every column that references it), and why.</summary>
public sealed record KeyConversion
{
    /// <summary>The schema of the table.</summary>
    public required string Schema { get; init; }

    /// <summary>The table whose key is converted.</summary>
    public required string Table { get; init; }

    /// <summary>The key column.</summary>
    public required string Column { get; init; }

    /// <summary>Its type now.</summary>
    public required string From { get; init; }

    /// <summary>The type it gets.</summary>
    public required string To { get; init; }

    /// <summary>Why: the revision or model that needs it.</summary>
    public required string Reason { get; init; }

    /// <summary>
    /// The columns the conversion changes (the key and every column that references it), as schema.table.column.
    /// </summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Whether the key is its table's single-column primary key (else a single-column UNIQUE key).</summary>
    public bool IsPrimaryKey { get; init; } = true;

    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Table}.{Column}: {From} -> {To}";
}
