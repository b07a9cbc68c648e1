using DbRecovery.Engine.Verification;

namespace DbRecovery.Engine.Planning;

/// <summary>What a recovery did: each step with its time and lock window, and the checks of the end state.</summary>
public sealed record RecoveryResult
{
    /// <summary>The database (URL without password).</summary>
    public required string Database { get; init; }

    /// <summary>The backup taken before the first change, or null when nothing needed to change.</summary>
    public string? BackupPath { get; init; }

    /// <summary>Whether the plan was rehearsed on a copy restored from the backup first.</summary>
    public bool Rehearsed { get; init; }

    /// <summary>Whether the database was changed.</summary>
    public bool Changed { get; init; }

    /// <summary>The steps as they ran, rehearsal first.</summary>
    public IReadOnlyList<StepResult> Steps { get; init; } = [];

    /// <summary>The checks of the end state.</summary>
    public IReadOnlyList<RecoveryCheck> Checks { get; init; } = [];

    /// <summary>alembic_version after the recovery.</summary>
    public IReadOnlyList<string> AlembicVersion { get; init; } = [];

    /// <summary>Whether every check passed.</summary>
    public bool Passed => Checks.All(c => c.Status != "Fail");

    /// <inheritdoc />
    public override string ToString() =>
        $"{Database}: {(Changed ? "recovered" : "nothing to change")}, {(Passed ? "checks pass" : "checks fail")}";
}
