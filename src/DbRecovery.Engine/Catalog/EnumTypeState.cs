namespace DbRecovery.Engine.Catalog;

/// <summary>An enum type with its labels in sort order.</summary>
public sealed record EnumTypeState
{
    /// <summary>The type's schema.</summary>
    public required string Schema { get; init; }

    /// <summary>The type's name.</summary>
    public required string Name { get; init; }

    /// <summary>The labels in sort order.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"{Schema}.{Name}";
}
