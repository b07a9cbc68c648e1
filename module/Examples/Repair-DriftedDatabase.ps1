<#
.SYNOPSIS
    Recovers a PostgreSQL database whose Alembic state has drifted, end to end.
.DESCRIPTION
    Makes the recovery plan (Get-RecoveryPlan: the revision the schema really is at, the key conversions the
    remaining revisions need, the stamp, the upgrade, what would block it), decided by real Alembic on the
    scratch database (a copy of the schema, never the data), stops if anything blocks it, then
    executes it (Invoke-RecoveryPlan): backup, proof, a rehearsal of the whole plan on a copy restored from the
    backup, the real run and the post-recovery checklist, whose results it returns. An already recovered
    database is only checked. -WhatIf prints the whole plan and changes nothing.
    Uses only DbRecovery cmdlets and core PowerShell.
.EXAMPLE
    ./Repair-DriftedDatabase.ps1 -Path ./backend -ScratchConnectionString $scratch -BackupPath /backups/before-repair -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    # The Alembic project (the folder with alembic.ini).
    [Parameter(Mandatory)]
    [string] $Path,

    # The drifted database; defaults to $env:DATABASE_URL.
    [string] $ConnectionString = $env:DATABASE_URL,

    # An empty database to prove the backup in and rehearse on.
    [Parameter(Mandatory)]
    [string] $ScratchConnectionString,

    # A new folder for the backup.
    [Parameter(Mandatory)]
    [string] $BackupPath,

    # How to run Alembic, e.g. /usr/bin/python3,-m,alembic.
    [string[]] $AlembicCommand = @('alembic'),

    # The types key columns may be converted to; the runbook stops if the plan needs another. Integer keys are only
    # ever widened (to bigint), which loses nothing.
    [string[]] $To = @('varchar(36)', 'bigint'),

    # The journal file (defaults to $env:DBRECOVERY_JOURNAL, else ~/.dbrecovery/journal.jsonl).
    [string] $JournalPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$database = @{ ConnectionString = $ConnectionString }
# Through pwsh -File (a shell, a scheduler) a list arrives as one comma-separated string.
if ($AlembicCommand.Count -eq 1) { $AlembicCommand = $AlembicCommand[0] -split ',' }

# Real Alembic decides on the scratch database: the true revision, the blockers and the end state.
$plan = Get-RecoveryPlan @database -Path $Path -ScratchConnectionString $ScratchConnectionString -AlembicCommand $AlembicCommand
$PSCmdlet.WriteVerbose("The schema is at $($plan.Revisions -join ', '): $($plan.Explanation)")
if (-not $plan.CanExecute) {
    throw "The recovery cannot be done; no DbRecovery step can fix: $($plan.Blockers -join '; ')"
}

$keyTypes = @($To | ForEach-Object { $_ -replace '^varchar\b', 'character varying' })
$other = @($plan.Conversions | Where-Object To -NotIn $keyTypes)
if ($other.Count -gt 0) {
    throw "The plan converts $($other -join ', '), not to $($To -join ' or '); review it with Get-RecoveryPlan and run Invoke-RecoveryPlan yourself."
}

$invoke = @{ Plan = $plan; BackupPath = $BackupPath; ScratchConnectionString = $ScratchConnectionString; AlembicCommand = $AlembicCommand; Rehearse = $true }
if ($JournalPath) { $invoke.JournalPath = $JournalPath }
if ($WhatIfPreference) {
    Invoke-RecoveryPlan @database @invoke -WhatIf
    return
}

if ($plan.IsEmpty) {
    $said = [System.Management.Automation.HostInformationMessage]@{ Message = "Nothing to change: the database is already at $($plan.Revisions -join ', ') with the types its revisions need." }
    $PSCmdlet.WriteInformation($said, [string[]] 'PSHOST')
}
elseif (-not $PSCmdlet.ShouldProcess($plan.Database, "Recover: $plan")) {
    return
}

$result = Invoke-RecoveryPlan @database @invoke -Confirm:$false
foreach ($step in $result.Steps) {
    $PSCmdlet.WriteVerbose(('{0} step {1} ({2}): {3}, {4:N1} s, locks held {5:N1} s' -f $step.On, $step.Order, $step.Kind, $step.Outcome, $step.Duration.TotalSeconds, $step.LockWindow.TotalSeconds))
}
$result.Checks
