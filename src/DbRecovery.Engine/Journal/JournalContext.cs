namespace DbRecovery.Engine.Journal;

/// <summary>
/// What the caller tells the journal about an operation: its name, parameters (no secrets) and whether -Force was used.
/// </summary>
/// <param name="Journal">The journal to write.</param>
/// <param name="Operation">The cmdlet or operation name.</param>
/// <param name="Parameters">Parameters as text, secrets left out.</param>
/// <param name="Forced">Whether a safety check was overridden.</param>
public sealed record JournalContext(
    RecoveryJournal Journal,
    string Operation,
    IReadOnlyDictionary<string, string> Parameters,
    bool Forced = false
)
{
    /// <summary>Whether the operation runs on a rehearsal copy, not on the database it rehearses for.</summary>
    public bool Rehearsal { get; init; }

    /// <summary>
    /// Journals the start of the operation on <paramref name="target"/> (URL without password) as
    /// <paramref name="role"/>; returns the entry to complete.
    /// </summary>
    public JournalEntry Start(string target, string? role, IReadOnlyList<string> sql)
    {
        var started = new JournalEntry
        {
            Id = Guid.NewGuid(),
            StartedAt = DateTimeOffset.UtcNow,
            OsUser = Environment.UserName,
            DatabaseRole = role,
            Target = target,
            Operation = Operation,
            Parameters = Parameters,
            Sql = sql,
            Outcome = "Started",
            Forced = Forced,
            Rehearsal = Rehearsal,
            ProcessId = Environment.ProcessId,
            Host = Environment.MachineName,
        };
        Journal.Append(started);
        return started;
    }
}
