using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// A converted column as the online conversion carries it: its shadow, and what the shadow must take over.
/// </summary>
/// <param name="Planned">The column and its conversion.</param>
/// <param name="NotNull">Whether the column is NOT NULL (the shadow becomes so at the swap).</param>
/// <param name="Comment">Its comment, carried to the shadow.</param>
/// <param name="SelfAssigned">Whether the backfill also sets the column to itself: true for a column an index the
/// swap drops is on, unless a trigger names the column (an UPDATE OF trigger would then fire for every row) or it is an
/// identity GENERATED ALWAYS (which takes no value in an UPDATE).</param>
internal sealed record OnlineColumn(PlannedColumn Planned, bool NotNull, string? Comment, bool SelfAssigned)
{
    public string Name => Planned.Column;

    public string Shadow => OnlineNames.Shadow(Planned.Column);

    public string Old => OnlineNames.Old(Planned.Column);

    /// <summary>The original's value as the new type: what the shadow must hold.</summary>
    public string Cast(string row = "") => $"{row}{SqlIdentifier.Quote(Name)}::{Planned.To}";

    /// <summary>About how many bytes the shadow adds to a row once set (text holds a uuid: 36 characters and a
    /// one-byte header).</summary>
    public int ShadowBytes =>
        Planned.To switch
        {
            "bigint" => 8,
            "integer" => 4,
            "smallint" => 2,
            "uuid" => 16,
            _ => 37,
        };
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
    long? EstimatedRows
)
{
    public QualifiedName Name => new(Schema, Table);

    public string Quoted => SqlIdentifier.Quote(Schema, Table);

    /// <summary>
    /// The CHECK that every row's shadows equal the casts (and are set where the column is NOT NULL); once validated,
    /// the proof the swap relies on.
    /// </summary>
    public string Check => OnlineNames.Check(Table);

    /// <summary>About how many bytes the shadows add to a row once set.</summary>
    public int ShadowBytes => Columns.Sum(c => c.ShadowBytes);

    public string CheckExpression =>
        string.Join(
            " AND ",
            Columns
                .Select(c => $"({SqlIdentifier.Quote(c.Shadow)} IS NOT DISTINCT FROM {c.Cast()})")
                .Concat(Columns.Where(c => c.NotNull).Select(c => $"({SqlIdentifier.Quote(c.Shadow)} IS NOT NULL)"))
        );
}
