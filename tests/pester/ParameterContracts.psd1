# The parameter contract of every cmdlet: what runbooks bind to. A change here is a change for every runbook;
# make it on purpose: the Pester test that compares Get-Command with this file prints the line to put here.
@{
    'Backup-Database' = @{
        '__AllParameterSets' = @('ConnectionString', 'Credential', 'Format', 'IncludeGlobals', 'Jobs', 'JournalPath', 'LockTimeout', 'Path:Mandatory,Position0', 'PgBinPath')
    }
    'Compare-SchemaState' = @{
        '__AllParameterSets' = @('Difference:Mandatory,Position1,ByValue', 'Reference:Mandatory,Position0')
    }
    'Convert-IdColumns' = @{
        'Abort' = @('Abort:Mandatory', 'ConnectionString', 'Credential', 'JournalPath', 'LockTimeout')
        'Offline (default)' = @('AsScript', 'Column:ByPropertyName', 'ConnectionString', 'Credential', 'Inverse', 'JournalPath', 'LockTimeout', 'Schema:ByPropertyName', 'Table:Mandatory,Position0,ByPropertyName', 'To')
        'Online' = @('AsScript', 'BatchDelay', 'BatchSize', 'Column:ByPropertyName', 'ConnectionString', 'Credential', 'Inverse', 'Jobs', 'JournalPath', 'LockTimeout', 'MaxLagSeconds', 'Online:Mandatory', 'Schema:ByPropertyName', 'Table:Mandatory,Position0,ByPropertyName', 'To')
    }
    'Export-SchemaState' = @{
        '__AllParameterSets' = @('Force', 'InputObject:Mandatory,ByValue', 'PassThru', 'Path:Mandatory,Position0')
    }
    'Find-AlembicRevision' = @{
        'Live (default)' = @('AlembicCommand', 'ConnectionString', 'Credential', 'LockTimeout', 'Path:Position0', 'Replay', 'ScratchConnectionString', 'Top', 'UrlVariable')
        'Snapshot' = @('AlembicCommand', 'ConnectionString', 'Credential', 'InputObject:Mandatory,ByValue', 'LockTimeout', 'Path:Position0', 'Replay', 'ScratchConnectionString', 'Top', 'UrlVariable')
    }
    'Find-ExposedSecret' = @{
        'Path' = @('Credential', 'Exclude', 'GitHistory', 'Include', 'KnownFingerprint', 'Path:Mandatory,Position0,ByPropertyName', 'RulePath', 'SarifPath', 'Secret')
        'Text (default)' = @('Credential', 'InputObject:Mandatory,ByValue', 'KnownFingerprint', 'RulePath', 'SarifPath', 'Secret')
    }
    'Get-AlembicHistory' = @{
        '__AllParameterSets' = @('Path:Position0')
    }
    'Get-AlembicVersion' = @{
        '__AllParameterSets' = @('ConnectionString', 'Credential', 'LockTimeout', 'VersionTable')
    }
    'Get-RecoveryJournal' = @{
        '__AllParameterSets' = @('JournalPath', 'Last', 'Operation', 'Since', 'Target')
    }
    'Get-RecoveryPlan' = @{
        '__AllParameterSets' = @('AlembicCommand', 'AsScript', 'ConnectionString', 'Credential', 'LockTimeout', 'Path:Position0', 'PgBinPath', 'ScratchConnectionString', 'To', 'UrlVariable', 'VersionTable')
    }
    'Get-RevisionSchema' = @{
        '__AllParameterSets' = @('AlembicCommand', 'Models', 'Path:Position0', 'Replay', 'Revision:Position1,ByPropertyName', 'ScratchConnectionString', 'UrlVariable')
    }
    'Get-KeyCapacity' = @{
        '__AllParameterSets' = @('ConnectionString', 'Credential', 'LockTimeout')
    }
    'Get-SchemaState' = @{
        '__AllParameterSets' = @('ConnectionString', 'Credential', 'LockTimeout', 'Schema:Position0', 'VersionTable')
    }
    'Import-SchemaState' = @{
        '__AllParameterSets' = @('Path:Mandatory,Position0,ByValue,ByPropertyName')
    }
    'Invoke-AlembicUpgrade' = @{
        '__AllParameterSets' = @('AlembicCommand', 'ConnectionString', 'Credential', 'JournalPath', 'LockTimeout', 'Path', 'Revision:Position0', 'Sql', 'UrlVariable', 'VersionTable')
    }
    'Invoke-RecoveryPlan' = @{
        '__AllParameterSets' = @('AlembicCommand', 'BackupPath:Mandatory', 'ConnectionString', 'Credential', 'Jobs', 'JournalPath', 'LockTimeout', 'PgBinPath', 'Plan:Mandatory,Position0,ByValue', 'Rehearse', 'ScratchConnectionString:Mandatory', 'UrlVariable')
    }
    'Reset-DatabasePassword' = @{
        '__AllParameterSets' = @('AsConnectionString', 'ConnectionString', 'Credential', 'JournalPath', 'Length', 'LockTimeout', 'NewPassword', 'OldCredential', 'Role:Mandatory,Position0')
    }
    'Restore-Database' = @{
        '__AllParameterSets' = @('Clean', 'ConnectionString', 'Credential', 'Jobs', 'JournalPath', 'LockTimeout', 'Path:Mandatory,Position0,ByPropertyName', 'PgBinPath')
    }
    'Set-AlembicVersion' = @{
        '__AllParameterSets' = @('ConnectionString', 'Credential', 'ExpectedCurrent', 'Force', 'JournalPath', 'LockTimeout', 'Path', 'ProjectPath:ByPropertyName', 'Revision:Mandatory,Position0,ByPropertyName', 'VersionTable')
    }
    'Test-AlembicUpgrade' = @{
        '__AllParameterSets' = @('AlembicCommand', 'ConnectionString', 'Credential', 'From', 'LockTimeout', 'Path:Position0', 'PgBinPath', 'ScratchConnectionString', 'To', 'UrlVariable', 'VersionTable')
    }
    'Test-CredentialRevoked' = @{
        'Database (default)' = @('ConnectionString', 'Credential', 'LockTimeout')
        'Http' = @('ConnectionString', 'Credential', 'HeaderName', 'LockTimeout', 'Scheme', 'TimeoutSec', 'Token:Mandatory', 'Uri:Mandatory')
    }
    'Test-DatabaseBackup' = @{
        '__AllParameterSets' = @('Jobs', 'Keep', 'Path:Mandatory,Position0,ByPropertyName', 'PgBinPath', 'ScratchConnectionString:Mandatory')
    }
    'Test-RecoveryState' = @{
        '__AllParameterSets' = @('AlembicCommand', 'AllowDifference', 'ConnectionString', 'Credential', 'ExpectColumnType', 'ExpectTable', 'FailOnError', 'HealthUrl', 'LockTimeout', 'Path', 'ScratchConnectionString', 'TimeoutSec', 'UrlVariable')
    }
}
