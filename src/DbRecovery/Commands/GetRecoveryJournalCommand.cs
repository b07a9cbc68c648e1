using System.Management.Automation;
using DbRecovery.Engine.Journal;

namespace DbRecovery.Commands;

/// <summary>Reads what DbRecovery changed: one entry per state-changing operation.</summary>
/// <remarks>
/// The journal is an append-only JSON-lines file ($env:DBRECOVERY_JOURNAL, else ~/.dbrecovery/journal.jsonl).
/// Each entry has the time (UTC), OS user, database role, target (without password), operation,
/// parameters, the SQL it ran, its outcome (Started, Committed, RolledBack) and duration. An entry
/// still Started means the process ended before the operation completed.
/// </remarks>
/// <example>
/// <code>Get-RecoveryJournal -Last 5</code>
/// <para>Shows the five most recent operations.</para>
/// </example>
/// <example>
/// <code>Get-RecoveryJournal | Where-Object Forced | ForEach-Object Sql</code>
/// <para>Shows the SQL of every operation that overrode a safety check with -Force.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "RecoveryJournal")]
[OutputType(typeof(JournalEntry))]
public sealed class GetRecoveryJournalCommand : RecoveryCmdlet
{
    /// <summary>The journal file. Defaults to $env:DBRECOVERY_JOURNAL, else ~/.dbrecovery/journal.jsonl.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    /// <summary>Only the most recent N entries.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; } = int.MaxValue;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            var journal = new RecoveryJournal(JournalPath is null ? null : FileSystemPath(JournalPath));
            WriteObject(journal.Read().TakeLast(Last), enumerateCollection: true);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowFailure(ex, JournalPath);
        }
    }
}
