namespace DbRecovery.Engine.Catalog;

/// <summary>A table of a schema the static replay expects, and the parts of it the replay cannot know.</summary>
public sealed record UnknownTablePart
{
    /// <summary>The table's schema.</summary>
    public required string Schema { get; init; }

    /// <summary>The table.</summary>
    public required string Table { get; init; }

    /// <summary>What of it is unknown.</summary>
    public required UnknownParts Parts { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Table} ({Parts})";
}
