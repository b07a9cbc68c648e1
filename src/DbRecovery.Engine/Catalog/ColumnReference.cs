using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Catalog;

/// <summary>A column named by schema, table and column.</summary>
/// <param name="Schema">The table's schema.</param>
/// <param name="Table">The table (or view).</param>
/// <param name="Column">The column.</param>
[System.Text.Json.Serialization.JsonConverter(typeof(ColumnReferenceJsonConverter))]
public sealed record ColumnReference(string Schema, string Table, string Column)
{
    /// <summary>
    /// schema.table.column, each part that holds a dot or a quote double-quoted (as
    /// <see cref="QualifiedName.ParseColumn"/> reads it).
    /// </summary>
    public override string ToString() => $"{new QualifiedName(Schema, Table)}.{new QualifiedName(null, Column)}";
}
