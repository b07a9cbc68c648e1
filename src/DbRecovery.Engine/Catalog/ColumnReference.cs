namespace DbRecovery.Engine.Catalog;

/// <summary>A column named by schema, table and column.</summary>
/// <param name="Schema">The table's schema.</param>
/// <param name="Table">The table (or view).</param>
/// <param name="Column">The column.</param>
public sealed record ColumnReference(string Schema, string Table, string Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Table}.{Column}";
}
