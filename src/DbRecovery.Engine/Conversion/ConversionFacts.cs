namespace DbRecovery.Engine.Conversion;

/// <summary>A column as the conversion needs to know it.</summary>
internal sealed record ColumnFact(
    string Schema,
    string Table,
    string Column,
    string Type,
    bool NotNull,
    string? Default,
    bool Generated,
    bool IsPartitionKey,
    bool TableIsTyped,
    bool TableIsPartition,
    long? EstimatedRows,
    long SizeBytes,
    string? Sequence = null,
    string? SequenceType = null,
    bool Identity = false,
    bool IdentityAlways = false
);

/// <summary>A foreign key, with its definition exactly as PostgreSQL prints it.</summary>
internal sealed record ForeignKeyFact(
    string Name,
    string Schema,
    string Table,
    IReadOnlyList<string> Columns,
    string ReferencedSchema,
    string ReferencedTable,
    IReadOnlyList<string> ReferencedColumns,
    bool Validated,
    string Definition,
    string? Comment,
    bool OnPartitionedTable
)
{
    /// <summary>
    /// Whether it can come back NOT VALID and be validated after COMMIT (PostgreSQL forbids NOT VALID keys on
    /// partitioned tables).
    /// </summary>
    public bool ValidatedAfterCommit => Validated && !OnPartitionedTable;
}

/// <summary>
/// An object that depends on a column: a view, policy, trigger, rule, index, function, publication….
/// </summary>
internal sealed record DependentFact(
    string Schema,
    string Table,
    string Column,
    string Kind,
    string Name,
    string Detail
);

/// <summary>A view or materialized view, with everything needed to re-create it exactly.</summary>
internal sealed record ViewFact(
    uint Oid,
    string Schema,
    string Name,
    bool Materialized,
    string Definition,
    string Owner,
    string? Acl,
    IReadOnlyList<string> Options,
    string? Comment,
    IReadOnlyList<(string Column, string Comment)> ColumnComments,
    IReadOnlyList<string> IndexDefinitions,
    IReadOnlyList<uint> DependsOnViews,
    IReadOnlyList<(string Schema, string Table, string Column)> DependsOnColumns
);

/// <summary>A row-level security policy, to drop and re-create around a type change.</summary>
internal sealed record PolicyFact(
    string Schema,
    string Table,
    string Name,
    string Command,
    bool Permissive,
    IReadOnlyList<string> Roles,
    string? Using,
    string? WithCheck,
    IReadOnlyList<string> Columns
);

/// <summary>A trigger whose WHEN or UPDATE OF names a column, to drop and re-create.</summary>
internal sealed record TriggerFact(
    string Schema,
    string Table,
    string Name,
    string Definition,
    IReadOnlyList<string> Columns
);

/// <summary>Everything the planner reads from the catalog, in one snapshot.</summary>
internal sealed record ConversionFacts(
    IReadOnlyList<ColumnFact> Columns,
    IReadOnlyList<ForeignKeyFact> ForeignKeys,
    IReadOnlyList<(string Schema, string Table, bool Primary, IReadOnlyList<string> Columns)> Keys,
    IReadOnlyList<DependentFact> Dependents,
    IReadOnlyList<ViewFact> Views,
    IReadOnlyList<PolicyFact> Policies,
    IReadOnlyList<TriggerFact> Triggers,
    IReadOnlyList<(string Schema, string Name, string Source)> PlpgsqlFunctions
)
{
    public ColumnFact? Column(string schema, string table, string column) =>
        Columns.FirstOrDefault(c => c.Schema == schema && c.Table == table && c.Column == column);
}
