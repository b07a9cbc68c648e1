using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Verification;

/// <summary>
/// A column type the recovery should have left, written <c>table.column=type</c> (e.g. <c>users.id=varchar(36)</c>).
/// </summary>
internal sealed record ColumnTypeExpectation(string Column, QualifiedName Table, string Name, string Type)
{
    /// <summary>The expectation, or null when it is not written as <c>table.column=type</c>.</summary>
    public static ColumnTypeExpectation? Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            return null;
        }

        try
        {
            var (table, column) = QualifiedName.ParseColumn(text[..eq]);
            return new ColumnTypeExpectation(text[..eq], table, column, text[(eq + 1)..]);
        }
        catch (RecoveryException)
        {
            return null;
        }
    }
}
