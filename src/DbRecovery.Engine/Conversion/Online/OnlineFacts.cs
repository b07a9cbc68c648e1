namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// A table an online conversion changes: its oid (which names its sync function), kind and publications.
/// </summary>
internal sealed record OnlineTableFact(
    string Schema,
    string Table,
    uint Oid,
    char Kind,
    IReadOnlyList<string> Publications
);

/// <summary>
/// A converted column's NOT NULL, comment and column-level grants, which a shadow column must take over.
/// </summary>
internal sealed record OnlineColumnFact(
    string Schema,
    string Table,
    string Column,
    bool NotNull,
    string? Comment,
    bool HasGrants
);

/// <summary>An index of a converted table, with everything needed to build its twin on the shadow columns.</summary>
internal sealed record IndexFact(
    string Schema,
    string Table,
    string Name,
    bool Unique,
    string Method,
    int KeyCount,
    IReadOnlyList<string> Columns,
    IReadOnlyList<short> Options,
    string? Predicate,
    bool HasExpressions,
    IReadOnlyList<string> StorageOptions,
    string? Tablespace,
    string? Constraint,
    char ConstraintType,
    bool Deferrable,
    bool Deferred,
    string? Comment,
    string? ConstraintComment,
    string Definition,
    IReadOnlyList<string> DependsOn
)
{
    /// <summary>
    /// Whether a primary key or unique constraint owns it (it comes back with ADD CONSTRAINT … USING INDEX).
    /// </summary>
    public bool IsKey => ConstraintType is 'p' or 'u';
}

/// <summary>A CHECK or exclusion constraint and the columns it names.</summary>
internal sealed record CheckFact(string Schema, string Table, string Name, char Type, IReadOnlyList<string> Columns);

/// <summary>A user's row-level trigger on a converted table.</summary>
internal sealed record RowTriggerFact(string Schema, string Table, string Name, bool Before, bool OnUpdate);

/// <summary>
/// What an unfinished online conversion recorded in the database: its columns and whether the swap committed.
/// </summary>
internal sealed record OnlineState(
    string Target,
    IReadOnlyList<(string Schema, string Table, string Column)> Columns,
    bool Swapped
);

/// <summary>What the online planner reads besides the <see cref="ConversionFacts"/>, in the same snapshot.</summary>
internal sealed record OnlineFacts(
    IReadOnlyList<OnlineTableFact> Tables,
    IReadOnlyList<OnlineColumnFact> Columns,
    IReadOnlyList<IndexFact> Indexes,
    IReadOnlyList<CheckFact> Checks,
    IReadOnlyList<RowTriggerFact> RowTriggers,
    OnlineState? State
);
