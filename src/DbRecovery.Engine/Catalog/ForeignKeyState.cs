namespace DbRecovery.Engine.Catalog;

/// <summary>A foreign key, with everything needed to re-create it exactly.</summary>
public sealed record ForeignKeyState
{
    /// <summary>The constraint's name.</summary>
    public required string Name { get; init; }

    /// <summary>Schema of the referencing table.</summary>
    public required string Schema { get; init; }

    /// <summary>The referencing table.</summary>
    public required string Table { get; init; }

    /// <summary>Referencing columns, in key order.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Schema of the referenced table.</summary>
    public required string ReferencedSchema { get; init; }

    /// <summary>The referenced table.</summary>
    public required string ReferencedTable { get; init; }

    /// <summary>Referenced columns, matching <see cref="Columns"/> position by position.</summary>
    public IReadOnlyList<string> ReferencedColumns { get; init; } = [];

    /// <summary>The <c>ON DELETE</c> action.</summary>
    public ReferentialAction OnDelete { get; init; }

    /// <summary>The <c>ON UPDATE</c> action.</summary>
    public ReferentialAction OnUpdate { get; init; }

    /// <summary>The <c>MATCH</c> type.</summary>
    public ForeignKeyMatch Match { get; init; }

    /// <summary>Whether the constraint is deferrable.</summary>
    public bool IsDeferrable { get; init; }

    /// <summary>Whether the constraint is initially deferred.</summary>
    public bool IsInitiallyDeferred { get; init; }

    /// <summary>Whether existing rows were checked (false for <c>NOT VALID</c>).</summary>
    public bool IsValidated { get; init; }

    /// <summary>The definition as <c>pg_get_constraintdef</c> prints it.</summary>
    public required string Definition { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Schema}.{Table}({string.Join(", ", Columns)}) -> "
        + $"{ReferencedSchema}.{ReferencedTable}({string.Join(", ", ReferencedColumns)})";
}
