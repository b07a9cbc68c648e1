@{
    RootModule           = 'DbRecovery.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f2c8e-3b7a-4f61-9c1e-8a2b6d4e7f90'
    Author               = 'DbRecovery contributors'
    CompanyName          = 'DbRecovery'
    Copyright            = '(c) DbRecovery contributors. MIT License (LICENSE.txt).'
    Description          = 'Diagnose and repair a PostgreSQL database whose Alembic migration state has drifted: snapshot the schema, find the true revision, back up provably, convert id columns, re-stamp, migrate and verify.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('DbRecovery.format.ps1xml')
    CmdletsToExport      = @(
        'Get-SchemaState'
        'Get-KeyCapacity'
        'Export-SchemaState'
        'Import-SchemaState'
        'Get-AlembicHistory'
        'Get-AlembicVersion'
        'Get-RevisionSchema'
        'Compare-SchemaState'
        'Find-AlembicRevision'
        'Set-AlembicVersion'
        'Test-AlembicUpgrade'
        'Invoke-AlembicUpgrade'
        'Get-RecoveryPlan'
        'Invoke-RecoveryPlan'
        'Get-RecoveryJournal'
        'Convert-IdColumns'
        'Find-ExposedSecret'
        'Test-CredentialRevoked'
        'Reset-DatabasePassword'
        'Backup-Database'
        'Test-DatabaseBackup'
        'Restore-Database'
        'Test-RecoveryState'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('PostgreSQL', 'Alembic', 'Recovery', 'Migration', 'Database', 'Backup', 'Secrets', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://example.invalid/dbrecovery'
            LicenseUri   = 'https://example.invalid/dbrecovery/blob/main/module/LICENSE.txt'
            ReleaseNotes = @'
0.1.0: the first release. Schema snapshots and comparison; the Alembic history read without Python, and its
exact replay; the true revision found with its evidence; id conversions (uuid and varchar(36)) with every column
and foreign key that references them, verified before COMMIT; guarded re-stamping and migration with a pre-flight;
the whole recovery as one plan with a rehearsal on a copy; provable backups; credential hygiene (gitleaks-format
rules, revocation checks, password rotation); the post-recovery checklist and the journal. See about_DbRecovery.
'@
        }
    }
}
