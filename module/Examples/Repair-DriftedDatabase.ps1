<#
.SYNOPSIS
    Recovers a PostgreSQL database whose Alembic state has drifted, end to end.
.DESCRIPTION
    Finds the revision the schema really matches, backs the database up and proves the backup restores,
    converts the drifted key columns (with everything that references them), re-stamps alembic_version
    at the true revision, migrates forward with Alembic and runs the post-recovery checklist. Every step is
    a DbRecovery cmdlet; -WhatIf shows the conversion and the stamp without changing anything.
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

    # An empty database to prove the backup in.
    [Parameter(Mandatory)]
    [string] $ScratchConnectionString,

    # A new folder for the backup.
    [Parameter(Mandatory)]
    [string] $BackupPath,

    # How to run Alembic, e.g. /usr/bin/python3,-m,alembic.
    [string[]] $AlembicCommand = @('alembic'),

    # The type the key columns must have.
    [string] $To = 'varchar(36)',

    # The journal file (defaults to $env:DBRECOVERY_JOURNAL, else ~/.dbrecovery/journal.jsonl).
    [string] $JournalPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$database = @{ ConnectionString = $ConnectionString }
$change = @{ ConnectionString = $ConnectionString; Confirm = $false }
if ($JournalPath) { $change.JournalPath = $JournalPath }

function Step([string] $Status, [int] $Percent) {
    $record = [System.Management.Automation.ProgressRecord]::new(1, 'Repairing the drifted database', $Status)
    $record.PercentComplete = $Percent
    $PSCmdlet.WriteProgress($record)
    $PSCmdlet.WriteVerbose($Status)
}

Step 'Finding the revision the schema really matches' 0
$match = (Find-AlembicRevision @database -Path $Path)[0]
$PSCmdlet.WriteVerbose($match.Explanation)
$keys = @($match.TypeMismatches | Where-Object Column -EQ 'id' | ForEach-Object { '{0}.{1}' -f $_.Schema, $_.Table })

if ($WhatIfPreference) {
    if ($keys.Count -gt 0) { Convert-IdColumns @database -Table $keys -To $To -WhatIf }
    Set-AlembicVersion @database -Path $Path -Revision $match.Revision -WhatIf
    return
}

Step "Backing up to $BackupPath" 15
$backup = Backup-Database @database -Path $BackupPath
Step 'Proving the backup restores and matches' 30
$proof = $backup | Test-DatabaseBackup -ScratchConnectionString $ScratchConnectionString
if (-not $proof.Passed) {
    throw "The backup in $BackupPath cannot be trusted: $($proof.Differences -join '; ')"
}

if ($keys.Count -gt 0) {
    Step "Converting $($keys -join ', ') and everything that references them to $To" 45
    $null = Convert-IdColumns @change -Table $keys -To $To
}

Step "Stamping alembic_version at $($match.Revision)" 65
$null = Set-AlembicVersion @change -Path $Path -Revision $match.Revision
Step 'Migrating forward with Alembic' 75
$null = Invoke-AlembicUpgrade @change -Path $Path -AlembicCommand $AlembicCommand
Step 'Running the post-recovery checklist' 90
$types = @($keys | ForEach-Object { '{0}.id={1}' -f $_, $To })
Test-RecoveryState @database -Path $Path -ExpectColumnType $types -FailOnError
$done = [System.Management.Automation.ProgressRecord]::new(1, 'Repairing the drifted database', 'Done')
$done.RecordType = 'Completed'
$PSCmdlet.WriteProgress($done)
