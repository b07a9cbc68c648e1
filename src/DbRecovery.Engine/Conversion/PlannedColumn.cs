namespace DbRecovery.Engine.Conversion;

/// <summary>One column a conversion changes (or skips because it already has the target type).</summary>
public sealed record PlannedColumn
{
    /// <summary>The table's schema.</summary>
    public required string Schema { get; init; }

    /// <summary>The table.</summary>
    public required string Table { get; init; }

    /// <summary>The column.</summary>
    public required string Column { get; init; }

    /// <summary>Its type now.</summary>
    public required string From { get; init; }

    /// <summary>Its type after the conversion.</summary>
    public required string To { get; init; }

    /// <summary>Its default now.</summary>
    public string? DefaultBefore { get; init; }

    /// <summary>Its default after the conversion (the same expression, cast to the new type).</summary>
    public string? DefaultAfter { get; init; }

    /// <summary>Whether the user named it (a key); otherwise it was reached through foreign keys.</summary>
    public bool IsRoot { get; init; }

    /// <summary>The sequence a serial column owns (an identity's is not listed: it follows its column).</summary>
    public string? Sequence { get; init; }

    /// <summary>Whether <see cref="Sequence"/> is narrower than <see cref="To"/> and takes that type too.</summary>
    public bool WidensSequence { get; init; }

    /// <summary>An identity column's generation (<c>ALWAYS</c> or <c>BY DEFAULT</c>), else null.</summary>
    public string? Identity { get; init; }

    /// <summary>An identity column's sequence.</summary>
    public string? IdentitySequence { get; init; }

    /// <summary>The planner's row estimate for its table; null before it was ever analyzed.</summary>
    public long? EstimatedRows { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Table}.{Column}: {From} -> {To}";
}
