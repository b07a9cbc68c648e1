namespace DbRecovery.Engine.Planning;

/// <summary>Runs alembic upgrade to the target.</summary>
public sealed record UpgradeStep : RecoveryStep
{
    /// <summary>The Alembic project.</summary>
    public required string Project { get; init; }

    /// <summary>What alembic upgrade is given: <c>heads</c> or a revision.</summary>
    public required string Revision { get; init; }

    /// <inheritdoc />
    public override RecoveryStepKind Kind => RecoveryStepKind.Upgrade;

    /// <inheritdoc />
    public override bool ChangesDatabase => true;

    /// <inheritdoc />
    public override string Invocation(string? connection) =>
        Cmdlet(
            "Invoke-AlembicUpgrade",
            connection,
            $"-Path {Quote(Project)} -Revision {Revision} -AlembicCommand $AlembicCommand"
        );
}
