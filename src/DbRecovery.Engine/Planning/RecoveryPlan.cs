using DbRecovery.Engine.Alembic.Replay;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// The whole recovery of a drifted database, said before anything changes: where the schema really is,
/// what alembic_version says, the key conversions and why, the stamp, the revisions the upgrade runs, what
/// would stop it, the checks the end state must pass, and the steps in order. Serializes to JSON (and
/// through Export-Clixml) so it can be reviewed and applied unchanged; the fingerprint of the schema it
/// was made from lets the executor refuse a database that changed since.
/// </summary>
public sealed record RecoveryPlan
{
    /// <summary>The database (URL without password).</summary>
    public required string Database { get; init; }

    /// <summary>The Alembic project the plan was made from.</summary>
    public required string Project { get; init; }

    /// <summary>When the plan was made (UTC).</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>The fingerprint of the schema and alembic_version the plan was made from.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The revision(s) the schema really is at.</summary>
    public IReadOnlyList<string> Revisions { get; init; } = [];

    /// <summary>How closely the schema matches them (1 = exactly).</summary>
    public double Score { get; init; }

    /// <summary>The evidence, in a sentence.</summary>
    public string Explanation { get; init; } = string.Empty;

    /// <summary>Other revisions whose schema is identical (data-only or empty migrations between them).</summary>
    public IReadOnlyList<string> EquallyLikely { get; init; } = [];

    /// <summary>The version table.</summary>
    public string VersionTable { get; init; } = "alembic_version";

    /// <summary>Whether the version table exists.</summary>
    public bool HasVersionTable { get; init; }

    /// <summary>What alembic_version says now.</summary>
    public IReadOnlyList<string> AlembicVersion { get; init; } = [];

    /// <summary>The key conversions, each with its reason.</summary>
    public IReadOnlyList<KeyConversion> Conversions { get; init; } = [];

    /// <summary>The revisions to stamp before the upgrade, or empty when alembic_version already says them.</summary>
    public IReadOnlyList<string> Stamp { get; init; } = [];

    /// <summary>The revisions the upgrade goes to (the heads unless chosen).</summary>
    public IReadOnlyList<string> Target { get; init; } = [];

    /// <summary>The revisions the upgrade runs, in order.</summary>
    public IReadOnlyList<string> UpgradeRevisions { get; init; } = [];

    /// <summary>What the static check predicts for the upgrade once the conversions are made.</summary>
    public UpgradeReport? Forecast { get; init; }

    /// <summary>
    /// <c>Exact</c> when real Alembic on a scratch copy of the schema decided the revision, the blockers and the end
    /// state;
    /// <c>Predicted</c> when the static replay did (no scratch database): its blockers may be the replay's mistakes.
    /// </summary>
    public string Decision { get; init; } = "Predicted";

    /// <summary>Whether real Alembic decided the plan (<see cref="Decision"/> is <c>Exact</c>).</summary>
    public bool IsExact => Decision == "Exact";

    /// <summary>
    /// What the static replay predicted and real Alembic contradicted: each is a bug of the replay, reported, not
    /// obeyed.
    /// </summary>
    public IReadOnlyList<string> ReplayDefects { get; init; } = [];

    /// <summary>
    /// The end state real Alembic built on a copy of the schema with the plan's conversions (Export-SchemaState's
    /// JSON), or null when the plan was predicted; the end check compares the database with it.
    /// </summary>
    public string? ReferenceSchema { get; init; }

    /// <summary>
    /// Keys the history creates with one type and references later with another (it cannot build a database from
    /// empty), each with the type the recovery resolves it to: the one the later reference needs.
    /// </summary>
    public IReadOnlyList<string> Contradictions { get; init; } = [];

    /// <summary>What no DbRecovery step can fix; while there are any the plan cannot be executed.</summary>
    public IReadOnlyList<string> Blockers { get; init; } = [];

    /// <summary>
    /// What the reviewer should know (ties, revisions that cannot be predicted, drift left as it is).
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// The column types the end state must have (schema.table.column=type), for Test-RecoveryState -ExpectColumnType.
    /// </summary>
    public IReadOnlyList<string> ExpectedColumnTypes { get; init; } = [];

    /// <summary>
    /// Whether the application's models (env.py's target_metadata) were read for the types the code expects.
    /// </summary>
    public bool ReadModels { get; init; }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<RecoveryStep> Steps { get; init; } = [];

    /// <summary>Whether the plan can be executed (it has no blockers).</summary>
    public bool CanExecute => Blockers.Count == 0;

    /// <summary>Whether nothing needs to change: the database is already recovered.</summary>
    public bool IsEmpty => Blockers.Count == 0 && !Steps.Any(s => s.ChangesDatabase);

    /// <inheritdoc />
    public override string ToString() =>
        !CanExecute ? $"Blocked: {Blockers.Count} blocker(s)"
        : IsEmpty ? "Nothing to do"
        : $"{Steps.Count(s => s.ChangesDatabase)} change(s): "
            + $"{string.Join(", ", Steps.Where(s => s.ChangesDatabase).Select(s => s.Kind))}";
}
