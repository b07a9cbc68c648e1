namespace DbRecovery.Engine.Conversion;

/// <summary>
/// A key column the user asks to convert: the table (optionally schema-qualified) and the column (default: the primary
/// key).
/// </summary>
/// <param name="Schema">The table's schema, or null to find the table by name.</param>
/// <param name="Table">The table.</param>
/// <param name="Column">The key column, or null for the single-column primary key.</param>
public sealed record ConversionRoot(string? Schema, string Table, string? Column)
{
    /// <inheritdoc />
    public override string ToString() =>
        (Schema is null ? Table : $"{Schema}.{Table}") + (Column is null ? string.Empty : $".{Column}");
}
