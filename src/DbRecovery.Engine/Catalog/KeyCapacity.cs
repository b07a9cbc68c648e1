namespace DbRecovery.Engine.Catalog;

/// <summary>
/// How much of its type an integer key fed by a sequence (serial or identity) has used, what would have to change
/// with it, and, when the insert rate can be known, how long it has left.
/// </summary>
public sealed record KeyCapacity
{
    /// <summary>The key column.</summary>
    public required ColumnReference Key { get; init; }

    /// <summary>Its type: smallint, integer or bigint.</summary>
    public required string Type { get; init; }

    /// <summary>Whether it is an identity column (else a serial's owned sequence).</summary>
    public bool IsIdentity { get; init; }

    /// <summary>The sequence that feeds it, schema-qualified.</summary>
    public required string Sequence { get; init; }

    /// <summary>The largest value it can take: the type's maximum, or the sequence's MAXVALUE when lower.</summary>
    public long Maximum { get; init; }

    /// <summary>The sequence's last value; null when it was never used (or cannot be read).</summary>
    public long? LastValue { get; init; }

    /// <summary>The share of <see cref="Maximum"/> used, in percent.</summary>
    public double UsedPercent { get; init; }

    /// <summary>The columns whose foreign keys reference it, with their types: they change type with it.</summary>
    public IReadOnlyList<string> Referencing { get; init; } = [];

    /// <summary>Referencing columns narrower than the key (an integer referencing a bigint): they fail at the first id
    /// beyond their type, whatever the key's capacity.</summary>
    public IReadOnlyList<string> Narrower { get; init; } = [];

    /// <summary>Rows inserted a day into its table over the statistics window, when the window is known.</summary>
    public double? InsertsPerDay { get; init; }

    /// <summary>The time left at that rate, when it can be estimated.</summary>
    public TimeSpan? TimeLeft { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Key} {Type}: {UsedPercent:0.##}% used");
}
