using System.Management.Automation;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;

namespace DbRecovery.Commands;

/// <summary>
/// Base of cmdlets that change a database, or write the backup a change relies on: one confirmation of the whole plan,
/// and the journal every change is recorded in.
/// </summary>
public abstract class StateChangingCmdlet : DatabaseCmdlet
{
    /// <summary>The journal file; defaults to $env:DBRECOVERY_JOURNAL, else ~/.dbrecovery/journal.jsonl.</summary>
    [Parameter]
    public string? JournalPath { get; set; }

    /// <summary>What the journal records of this invocation.</summary>
    protected JournalContext Journal(bool forced = false) =>
        new(
            new RecoveryJournal(JournalPath is null ? null : FileSystemPath(JournalPath)),
            MyInvocation.MyCommand.Name,
            JournalParameters(),
            forced
        );

    /// <summary>
    /// Asks once for the whole plan: -WhatIf prints every statement (the script -AsScript would write),
    /// -Confirm shows a summary and asks one question.
    /// </summary>
    protected bool ShouldApply(IOperationPlan plan) =>
        ShouldChange(
            Mask.Apply(PlanScript.Render(plan, LockTimeout)),
            Mask.Apply(PlanScript.Summarize(plan) + " Run it?"),
            plan.Operation
        );
}
