@{
    RootModule           = 'DbRecovery.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f2c8e-3b7a-4f61-9c1e-8a2b6d4e7f90'
    Author               = 'DbRecovery contributors'
    CompanyName          = 'DbRecovery'
    Copyright            = '(c) DbRecovery contributors. All rights reserved.'
    Description          = 'Diagnose and repair a PostgreSQL database whose Alembic migration state has drifted: snapshot the schema, find the true revision, back up provably, convert id columns, re-stamp, migrate and verify.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('DbRecovery.format.ps1xml')
    CmdletsToExport      = @(
        'Get-SchemaState'
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
            Tags       = @('PostgreSQL', 'Alembic', 'Recovery', 'Migration', 'Linux', 'Windows', 'MacOS')
            ProjectUri = 'https://example.invalid/dbrecovery'
        }
    }
}
