namespace DbRecovery.Engine.Conversion;

/// <summary>Pre-flight facts for one table the conversion rewrites, to pick a maintenance window.</summary>
/// <param name="Schema">The table's schema.</param>
/// <param name="Table">The table.</param>
/// <param name="Columns">How many of its columns change (one rewrite for all of them).</param>
/// <param name="EstimatedRows">The planner's row estimate; null before the table was ever analyzed.</param>
/// <param name="SizeBytes">Its size with indexes and TOAST; the rewrite needs about as much again free on the
/// server.</param>
/// <param name="Lock">The lock it is held under until COMMIT.</param>
public sealed record TableRewrite(
    string Schema,
    string Table,
    int Columns,
    long? EstimatedRows,
    long SizeBytes,
    string Lock = "ACCESS EXCLUSIVE"
);
