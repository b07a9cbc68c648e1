namespace DbRecovery.Engine.Planning;

/// <summary>One step of a recovery plan, as the DbRecovery command that does it.</summary>
public sealed record RecoveryStep
{
    /// <summary>Its place in the plan, from 1.</summary>
    public required int Order { get; init; }

    /// <summary>What it does.</summary>
    public required RecoveryStepKind Kind { get; init; }

    /// <summary>What it does, in a sentence.</summary>
    public required string Description { get; init; }

    /// <summary>The DbRecovery command a person would type to do it (connection parameters left out).</summary>
    public required string Command { get; init; }

    /// <summary>Whether it changes the database.</summary>
    public bool ChangesDatabase => Kind is RecoveryStepKind.Convert or RecoveryStepKind.Stamp or RecoveryStepKind.Upgrade;

    /// <inheritdoc />
    public override string ToString() => $"{Order}. {Description}";
}
