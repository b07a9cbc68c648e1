namespace DbRecovery.Engine.Planning;

/// <summary>Sets alembic_version to the revisions the schema really is at.</summary>
public sealed record StampStep : RecoveryStep
{
    /// <summary>The Alembic project.</summary>
    public required string Project { get; init; }

    /// <summary>The revisions to stamp.</summary>
    public required IReadOnlyList<string> Revisions { get; init; }

    /// <summary>
    /// What alembic_version must hold when the step runs, or empty for a table that is empty or missing.
    /// </summary>
    public IReadOnlyList<string> ExpectedCurrent { get; init; } = [];

    /// <summary>The version table, as schema.name or name.</summary>
    public string VersionTable { get; init; } = "alembic_version";

    /// <summary>Whether real Alembic proved the revisions, so the static replay's guard gets no veto.</summary>
    public bool Force { get; init; }

    /// <inheritdoc />
    public override RecoveryStepKind Kind => RecoveryStepKind.Stamp;

    /// <inheritdoc />
    public override bool ChangesDatabase => true;

    /// <inheritdoc />
    public override string Invocation(string? connection) =>
        Cmdlet(
            "Set-AlembicVersion",
            connection,
            $"-Path {Quote(Project)} -Revision {QuoteAll(Revisions)}"
                + (ExpectedCurrent.Count > 0 ? $" -ExpectedCurrent {QuoteAll(ExpectedCurrent)}" : string.Empty)
                + (VersionTable == "alembic_version" ? string.Empty : $" -VersionTable {Quote(VersionTable)}")
                + (Force ? " -Force" : string.Empty)
        );
}
