using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// A converted column as the online conversion carries it: its shadow, and what the shadow must take over.
/// </summary>
internal sealed record OnlineColumn(PlannedColumn Planned, bool NotNull, string? Comment)
{
    public string Name => Planned.Column;

    public string Shadow => OnlineNames.Shadow(Planned.Column);

    public string Old => OnlineNames.Old(Planned.Column);

    /// <summary>The original's value as the new type: what the shadow must hold.</summary>
    public string Cast(string row = "") => $"{row}{SqlIdentifier.Quote(Name)}::{Planned.To}";
}

/// <summary>
/// A table of an online conversion: its converted columns and the indexes on them, rebuilt on the shadows.
/// </summary>
internal sealed record OnlineTable(
    string Schema,
    string Table,
    uint Oid,
    IReadOnlyList<OnlineColumn> Columns,
    IReadOnlyList<IndexFact> Indexes,
    long EstimatedRows
)
{
    public QualifiedName Name => new(Schema, Table);

    public string Quoted => SqlIdentifier.Quote(Schema, Table);

    /// <summary>
    /// The CHECK that every row's shadows equal the casts (and are set where the column is NOT NULL); once validated,
    /// the proof the swap relies on.
    /// </summary>
    public string Check => OnlineNames.Check(Table);

    public string CheckExpression =>
        string.Join(
            " AND ",
            Columns
                .Select(c => $"({SqlIdentifier.Quote(c.Shadow)} IS NOT DISTINCT FROM {c.Cast()})")
                .Concat(Columns.Where(c => c.NotNull).Select(c => $"({SqlIdentifier.Quote(c.Shadow)} IS NOT NULL)"))
        );
}
