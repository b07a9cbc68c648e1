namespace DbRecovery.Engine.Comparison;

/// <summary>One difference between an expected (reference) and an actual schema.</summary>
public sealed record SchemaDifference
{
    /// <summary>What differs.</summary>
    public required DifferenceKind Kind { get; init; }

    /// <summary>The table's schema.</summary>
    public required string Schema { get; init; }

    /// <summary>The table.</summary>
    public required string Table { get; init; }

    /// <summary>The column, for column differences.</summary>
    public string? Column { get; init; }

    /// <summary>The foreign key or index, for those differences.</summary>
    public string? Name { get; init; }

    /// <summary>What the reference has (a type, a definition), or null when it has nothing.</summary>
    public string? Expected { get; init; }

    /// <summary>What the actual schema has, or null when it has nothing.</summary>
    public string? Actual { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        var where =
            Table.Length == 0 ? Schema
            : Column is null ? $"{Schema}.{Table}"
            : $"{Schema}.{Table}.{Column}";
        var what =
            Name is null ? where
            : Table.Length == 0 ? $"{where}.{Name}"
            : $"{where} {Name}";
        return Expected is null && Actual is null
            ? $"{Kind} {what}"
            : $"{Kind} {what}: expected {Expected ?? "nothing"}, actual {Actual ?? "nothing"}";
    }
}
