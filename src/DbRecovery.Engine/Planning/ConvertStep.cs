using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Planning;

/// <summary>Converts key columns to one type, with every column that references them, in one transaction.</summary>
public sealed record ConvertStep : RecoveryStep
{
    /// <summary>The key columns.</summary>
    public required IReadOnlyList<ColumnReference> Keys { get; init; }

    /// <summary>
    /// Whether every key is its table's single-column primary key (Convert-IdColumns' default column).
    /// </summary>
    public bool PrimaryKeys { get; init; }

    /// <summary>The type they get.</summary>
    public required string To { get; init; }

    /// <inheritdoc />
    public override RecoveryStepKind Kind => RecoveryStepKind.Convert;

    /// <inheritdoc />
    public override bool ChangesDatabase => true;

    /// <summary>
    /// The tables by name (a part with a dot double-quoted); the column too when it is not the primary key, and
    /// the keys piped as objects when their columns differ.
    /// </summary>
    public override string Invocation(string? connection)
    {
        var to = "-To " + Quote(To);
        if (PrimaryKeys || Keys.Select(k => k.Column).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            var column = PrimaryKeys ? string.Empty : " -Column " + Quote(Keys[0].Column);
            return Cmdlet("Convert-IdColumns", connection, $"-Table {QuoteAll(Keys.Select(Table))}{column} {to}");
        }

        var keys = Keys.Select(k => $"[pscustomobject]@{{ Table = {Quote(Table(k))}; Column = {Quote(k.Column)} }}");
        return $"@({string.Join(", ", keys)}) | " + Cmdlet("Convert-IdColumns", connection, to);
    }

    private static string Table(ColumnReference key) => new QualifiedName(key.Schema, key.Table).ToString();
}
