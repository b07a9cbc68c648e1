namespace DbRecovery.Engine.Planning;

/// <summary>One step of a recovery as it ran, on the rehearsal copy or on the database.</summary>
public sealed record StepResult
{
    /// <summary>The step's place in the plan.</summary>
    public required int Order { get; init; }

    /// <summary>What it did.</summary>
    public required RecoveryStepKind Kind { get; init; }

    /// <summary><c>Rehearsal</c> (the copy restored from the backup) or <c>Database</c>.</summary>
    public required string On { get; init; }

    /// <summary>The step's description.</summary>
    public required string Description { get; init; }

    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>How long it held the locks of its changes (the application's downtime for this step).</summary>
    public TimeSpan LockWindow { get; init; }

    /// <summary><c>Done</c>, <c>Skipped</c> (nothing left to do) or the failure.</summary>
    public required string Outcome { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{On} {Order}. {Kind}: {Outcome}";
}
