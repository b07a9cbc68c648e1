namespace DbRecovery.Engine.Catalog;

/// <summary>A user-defined trigger.</summary>
public sealed record TriggerState
{
    /// <summary>The trigger's name.</summary>
    public required string Name { get; init; }

    /// <summary>The definition as <c>pg_get_triggerdef</c> prints it.</summary>
    public required string Definition { get; init; }

    /// <summary>When it fires: <c>Origin</c> (enabled), <c>Disabled</c>, <c>Replica</c> or <c>Always</c>.</summary>
    public required string Enabled { get; init; }

    /// <inheritdoc />
    public override string ToString() => Definition;
}
