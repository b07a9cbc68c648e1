#Requires -Version 7.4
# What an operator sees during the incident, step by step. Run by the demo (IncidentDemo), which stages the
# database and passes everything in environment variables; the database URL is $env:DATABASE_URL.
$ErrorActionPreference = 'Stop'
Import-Module $env:DEMO_MODULE
$project = $env:DEMO_PROJECT
$journal = Join-Path $env:DEMO_WORK 'journal.jsonl'
$alembic = $env:DEMO_ALEMBIC, '-m', 'alembic'

function Step([string] $title) { Write-Host ''; Write-Host "== $title" -ForegroundColor Cyan }

Step '1. What alembic_version claims'
Get-AlembicVersion | Format-Table

Step '2. The drift: the claimed head against the live schema'
Compare-SchemaState -Reference (Get-RevisionSchema -Path $project -Revision head) -Difference (Get-SchemaState) | Format-Table

Step '3. The revision the schema really is at, with its evidence'
$candidates = Find-AlembicRevision -Path $project -Top 3
$candidates | Format-Table
$candidates[0] | Format-List Revision, Score, EquallyLikely,
    @{ Name = 'Explanation'; Expression = { [DbRecovery.Formatting.ViewText]::Wrap($_.Explanation) } }

Step '4. The plan (changes nothing)'
$plan = Get-RecoveryPlan -Path $project
$plan | Format-List

Step '5. The recovery: backup, proof, rehearsal, conversion, stamp, upgrade'
$result = $plan | Invoke-RecoveryPlan -BackupPath (Join-Path $env:DEMO_WORK 'before-repair') -ScratchConnectionString $env:DEMO_SCRATCH_URL -Rehearse `
    -AlembicCommand $alembic -JournalPath $journal -Confirm:$false
$result | Format-List

Step '6. The checklist'
$result.Checks | Format-Table

Step '7. The journal'
Get-RecoveryJournal -JournalPath $journal | Format-Table

Step 'Verdict'
$failed = @($result.Checks | Where-Object Status -EQ 'Fail').Count
if ($result.Passed) {
    Write-Host "RECOVERED: $($result.Database) is at $($result.AlembicVersion -join ', '), $(@($result.Checks).Count) checks pass, backup at $($result.BackupPath)." -ForegroundColor Green
    Write-Host 'The demo leaves nothing behind: databases, backup and journal go at exit.'
}
else {
    Write-Host "NOT RECOVERED: $failed checks fail; restore with Restore-Database -Path $($result.BackupPath) -Clean." -ForegroundColor Red
    exit 1
}
