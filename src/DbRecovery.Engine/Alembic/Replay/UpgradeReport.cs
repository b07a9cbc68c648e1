namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// Whether <c>alembic upgrade</c> from <see cref="From"/> to <see cref="To"/> will succeed on a database, and why.
/// </summary>
public sealed record UpgradeReport
{
    /// <summary>The database (without password) or snapshot examined.</summary>
    public required string Database { get; init; }

    /// <summary>The revisions the database is taken to be at (empty for base).</summary>
    public IReadOnlyList<string> From { get; init; } = [];

    /// <summary>The revisions the upgrade goes to.</summary>
    public IReadOnlyList<string> To { get; init; } = [];

    /// <summary>The revisions the upgrade runs, in order.</summary>
    public IReadOnlyList<string> Revisions { get; init; } = [];

    /// <summary>
    /// <c>Static</c> (replayed over the snapshot) or <c>Exact</c> (real Alembic on a copy of the schema).
    /// </summary>
    public required string Mode { get; init; }

    /// <summary>What would fail, or cannot be told, in order.</summary>
    public IReadOnlyList<UpgradeFinding> Findings { get; init; } = [];

    /// <summary>The answer.</summary>
    public UpgradeVerdict Verdict =>
        Findings.Any(f => f.IsBlocking) ? UpgradeVerdict.WillFail
        : Findings.Count > 0 ? UpgradeVerdict.Unknown
        : UpgradeVerdict.WillSucceed;

    /// <inheritdoc />
    public override string ToString() => $"{Verdict}: {Revisions.Count} revisions, {Findings.Count} findings";
}
