using System.Globalization;

namespace DbRecovery.Engine.Conversion;

/// <summary>How a table's row estimate reads in an action or a message.</summary>
public static class RowEstimate
{
    /// <summary>"about N rows", or that PostgreSQL has no estimate yet (reltuples is -1 until the first ANALYZE or
    /// VACUUM), rather than a misleading "about 0 rows".</summary>
    public static string Describe(long? rows) =>
        rows is { } known
            ? string.Create(CultureInfo.InvariantCulture, $"about {known} rows")
            : "rows not estimated yet: never analyzed";
}
