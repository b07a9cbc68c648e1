#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The module as a runbook sees it. Run by ./build.ps1 -Task Test after a build.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../out/DbRecovery/DbRecovery.psd1') -Force
    $commands = (Get-Command -Module DbRecovery).Name
}

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/DbRecovery/DbRecovery.psd1'
    Import-Module $manifest -Force
}

Describe 'The DbRecovery module' {
    It 'has a valid manifest for PowerShell 7.4 Core' {
        $module = Test-ModuleManifest -Path $manifest
        $module.PowerShellVersion | Should -Be ([version] '7.4')
        $module.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'exports exactly the expected cmdlets' {
        (Get-Command -Module DbRecovery).Name | Sort-Object |
            Should -Be @('Backup-Database', 'Compare-SchemaState', 'Convert-IdColumns', 'Export-SchemaState', 'Find-AlembicRevision', 'Find-ExposedSecret', 'Get-AlembicHistory',
                'Get-AlembicVersion', 'Get-RecoveryJournal', 'Get-RevisionSchema', 'Get-SchemaState', 'Import-SchemaState', 'Invoke-AlembicUpgrade',
                'Reset-DatabasePassword', 'Restore-Database', 'Set-AlembicVersion', 'Test-CredentialRevoked', 'Test-DatabaseBackup',
                'Test-RecoveryState')
    }

    It 'has help with an example for <_>' -ForEach $commands {
        $help = Get-Help $_ -Examples
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
    }

    It 'fails with ConnectionStringMissing when no database is given' {
        $saved = $env:DATABASE_URL
        try {
            $env:DATABASE_URL = $null
            { Get-SchemaState -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectionStringMissing,DbRecovery.Commands.GetSchemaStateCommand'
        }
        finally {
            $env:DATABASE_URL = $saved
        }
    }
}

Describe 'Get-SchemaState against a real database' {
    BeforeAll {
        if (-not $env:DBRECOVERY_TEST_DATABASE_URL) {
            throw 'Set DBRECOVERY_TEST_DATABASE_URL to a postgresql:// URL of a database these tests may read.'
        }
    }

    It 'returns one snapshot of the database' {
        $state = @(Get-SchemaState -ConnectionString $env:DBRECOVERY_TEST_DATABASE_URL)
        $state.Count | Should -Be 1
        $state[0].Database | Should -Not -BeNullOrEmpty
        $state[0].Schemas | Should -Contain 'public'
    }

    It 'round-trips through Export-SchemaState and Import-SchemaState' {
        $path = Join-Path $TestDrive 'schema.json'
        $state = Get-SchemaState -ConnectionString $env:DBRECOVERY_TEST_DATABASE_URL
        $state | Export-SchemaState -Path $path
        (Import-SchemaState -Path $path).Tables.Count | Should -Be $state.Tables.Count
    }
}
