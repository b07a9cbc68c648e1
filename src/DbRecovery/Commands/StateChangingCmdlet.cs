using System.Management.Automation;
using DbRecovery.Engine.Journal;
using DbRecovery.Hosting;

namespace DbRecovery.Commands;

/// <summary>Base of cmdlets that change a database: the lock timeout and the journal every change is recorded in.</summary>
public abstract class StateChangingCmdlet : DatabaseCmdlet
{
    /// <summary>How long to wait for any lock before giving up, as seconds or a TimeSpan.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The journal file; defaults to $env:DBRECOVERY_JOURNAL, else ~/.dbrecovery/journal.jsonl.</summary>
    [Parameter]
    public string? JournalPath { get; set; }

    /// <summary>What the journal records of this invocation.</summary>
    protected JournalContext Journal(bool forced = false) =>
        new(new RecoveryJournal(JournalPath is null ? null : FileSystemPath(JournalPath)), MyInvocation.MyCommand.Name, JournalParameters(), forced);
}
