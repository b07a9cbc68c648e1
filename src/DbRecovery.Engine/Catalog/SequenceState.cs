namespace DbRecovery.Engine.Catalog;

/// <summary>A sequence and the column that owns it, if any.</summary>
public sealed record SequenceState
{
    /// <summary>The sequence's schema.</summary>
    public required string Schema { get; init; }

    /// <summary>The sequence's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its data type, e.g. <c>bigint</c>.</summary>
    public required string DataType { get; init; }

    /// <summary>The owning column (serial or identity), if any.</summary>
    public ColumnReference? OwnedBy { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Name}";
}
