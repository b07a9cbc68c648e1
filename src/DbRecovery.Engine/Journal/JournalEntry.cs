namespace DbRecovery.Engine.Journal;

/// <summary>
/// One state-changing operation as the journal records it. No secrets: targets are shown without passwords.
/// </summary>
public sealed record JournalEntry
{
    /// <summary>Identifies the operation; its start and completion lines share it.</summary>
    public required Guid Id { get; init; }

    /// <summary>When it started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it completed (UTC), once it has.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The operating-system user who ran it.</summary>
    public required string OsUser { get; init; }

    /// <summary>The database role it ran as.</summary>
    public string? DatabaseRole { get; init; }

    /// <summary>The database, as a URL without the password.</summary>
    public required string Target { get; init; }

    /// <summary>The cmdlet (or engine operation) that ran.</summary>
    public required string Operation { get; init; }

    /// <summary>Its parameters, secrets left out.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>The SQL it ran (or the command it ran).</summary>
    public IReadOnlyList<string> Sql { get; init; } = [];

    /// <summary>
    /// Started, then how it ended: Committed, RolledBack, "Committed; validation pending", "External step failed (exit
    /// 1); database state: …", ….
    /// </summary>
    public required string Outcome { get; init; }

    /// <summary>What went wrong, when it failed.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// The process that ran it, so a reader can tell an interrupted operation from one still running.
    /// </summary>
    public int? ProcessId { get; init; }

    /// <summary>The machine that ran it.</summary>
    public string? Host { get; init; }

    /// <summary>Whether a safety check was overridden with -Force.</summary>
    public bool Forced { get; init; }

    /// <summary>Whether it ran on a rehearsal copy (Invoke-RecoveryPlan -Rehearse), not on the database.</summary>
    public bool Rehearsal { get; init; }

    /// <summary>
    /// How long it held the locks of its changes (its transactions and external commands), once completed.
    /// </summary>
    public TimeSpan? LockWindow { get; init; }

    /// <summary>How long it took, once completed.</summary>
    public TimeSpan? Duration => CompletedAt - StartedAt;

    /// <inheritdoc />
    public override string ToString() => $"{StartedAt:u} {Operation} {Outcome} {Target}";
}
