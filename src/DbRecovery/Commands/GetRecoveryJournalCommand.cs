using System.Management.Automation;
using DbRecovery.Engine.Journal;

namespace DbRecovery.Commands;

/// <summary>Reads what DbRecovery changed: one entry per state-changing operation.</summary>
/// <remarks>
/// The journal is an append-only JSON-lines file ($env:DBRECOVERY_JOURNAL, else ~/.dbrecovery/journal.jsonl).
/// Each entry has the time (UTC), OS user, database role, target (without password), operation,
/// parameters, the SQL it ran, its outcome and duration. The outcome is true to each phase: Committed,
/// RolledBack, "Committed; validation pending", "External step failed (exit 1); database state: …"; an
/// entry whose process ended before the operation completed is Interrupted, one still running Started.
/// The file is created readable by its owner only (0600).
/// </remarks>
/// <example>
/// <code>Get-RecoveryJournal -Last 5</code>
/// <para>Shows the five most recent operations.</para>
/// </example>
/// <example>
/// <code>Get-RecoveryJournal -Since (Get-Date).AddHours(-6) -Operation Convert-IdColumns, Set-AlembicVersion -Target
/// '*prod-db*'</code>
/// <para>Shows the conversions and stamps of the last six hours on the production database.</para>
/// </example>
/// <example>
/// <code>Get-RecoveryJournal | Where-Object Forced | ForEach-Object Sql</code>
/// <para>Shows the SQL of every operation that overrode a safety check with -Force.</para>
/// </example>
/// <seealso cref="InvokeRecoveryPlanCommand"/>
/// <seealso cref="ConvertIdColumnsCommand"/>
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

    /// <summary>Only operations started at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only these operations (cmdlet names; wildcards allowed).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Operation { get; set; }

    /// <summary>Only operations on a matching target (the URL without password; wildcards allowed).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Target { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                var journal = new RecoveryJournal(JournalPath is null ? null : FileSystemPath(JournalPath));
                var since = Since is { } time
                    ? new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero)
                    : DateTimeOffset.MinValue;
                var entries = journal
                    .Read()
                    .Where(e => e.StartedAt >= since && Matches(Operation, e.Operation) && Matches(Target, e.Target));
                WriteObject(entries.TakeLast(Last), enumerateCollection: true);
            },
            () => JournalPath
        );
    }

    private static bool Matches(string[]? patterns, string value) =>
        patterns is null || patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value));
}
