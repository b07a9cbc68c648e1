namespace DbRecovery.Engine.Conversion;

/// <summary>One column a conversion changed.</summary>
public sealed record ColumnConversion
{
    /// <summary>The table's schema.</summary>
    public required string Schema { get; init; }

    /// <summary>The table.</summary>
    public required string Table { get; init; }

    /// <summary>The column.</summary>
    public required string Column { get; init; }

    /// <summary>Its type before.</summary>
    public required string From { get; init; }

    /// <summary>Its type after.</summary>
    public required string To { get; init; }

    /// <summary>
    /// Rows of its table: offline, counted before and after (the same); online, the rows the backfill copied (rows
    /// written meanwhile came through the trigger).
    /// </summary>
    public long Rows { get; init; }

    /// <summary>How long its table's rewrite (online: backfill) took, shared by the table's columns.</summary>
    public TimeSpan Duration { get; init; }

    internal static ColumnConversion Of(PlannedColumn column, long rows, TimeSpan duration) =>
        new()
        {
            Schema = column.Schema,
            Table = column.Table,
            Column = column.Column,
            From = column.From,
            To = column.To,
            Rows = rows,
            Duration = duration,
        };

    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Table}.{Column}: {From} -> {To}";
}
