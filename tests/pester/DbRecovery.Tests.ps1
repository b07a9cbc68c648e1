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
                'Get-AlembicVersion', 'Get-KeyCapacity', 'Get-RecoveryJournal', 'Get-RecoveryPlan', 'Get-RevisionSchema', 'Get-SchemaState', 'Import-SchemaState', 'Invoke-AlembicUpgrade',
                'Invoke-RecoveryPlan', 'Reset-DatabasePassword', 'Restore-Database', 'Set-AlembicVersion', 'Test-AlembicUpgrade', 'Test-CredentialRevoked',
                'Test-DatabaseBackup', 'Test-RecoveryState')
    }

    It 'has help with an example for <_>' -ForEach $commands {
        $help = Get-Help $_ -Examples
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
    }

    It 'shows in help SYNTAX every parameter set of <_>, each with its parameters and which are required' -ForEach $commands {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $expected = @((Get-Command $_).ParameterSets | ForEach-Object {
            (@($_.Parameters | Where-Object Name -NotIn $common | ForEach-Object { "$($_.Name)=$($_.IsMandatory)/$($_.Position)" }) | Sort-Object) -join ' '
        }) | Sort-Object
        $shown = @(@((Get-Help $_ -Full).syntax.syntaxItem) | ForEach-Object {
            (@(@($_.parameter) | Where-Object { $_.name -notin $common } | ForEach-Object {
                "$($_.name)=$($_.required -eq 'true')/$(if ($_.position -eq 'named') { -2147483648 } else { $_.position })"
            }) | Sort-Object) -join ' '
        }) | Sort-Object
        $shown | Should -Be $expected
    }

    It 'describes every parameter of <_> in its own words, and links related cmdlets that exist' -ForEach $commands {
        $help = Get-Help $_ -Full
        $described = @($help.parameters.parameter | Where-Object { ($_.description.Text -join '').Trim() })
        $described.name | Sort-Object | Should -Be ((Get-Command $_).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters } | Sort-Object)
        ($described | Group-Object { $_.description.Text } | Where-Object Count -GT 1).Name | Should -BeNullOrEmpty
        $links = @($help.relatedLinks.navigationLink.linkText | Where-Object { $_ -ne 'about_DbRecovery' })
        $links.Count | Should -BeGreaterThan 0
        $links | ForEach-Object { Get-Command $_ -Module DbRecovery -ErrorAction Stop } | Should -HaveCount $links.Count
    }

    It 'shows each default as a user would type it' {
        (Get-Help Find-AlembicRevision -Parameter Top).defaultValue | Should -Be '5'
        (Get-Help Find-AlembicRevision -Parameter Path).defaultValue | Should -Be '.'
        (Get-Help Convert-IdColumns -Parameter LockTimeout).defaultValue | Should -Be '5 (seconds)'
        (Get-Help Find-AlembicRevision -Parameter AlembicCommand).defaultValue | Should -Be 'alembic'
        (Get-Help Find-AlembicRevision -Parameter ScratchConnectionString).defaultValue | Should -Be 'None'
        (Get-Help Find-AlembicRevision -Parameter Replay).defaultValue | Should -Be 'False'
        (Get-Help Backup-Database -Parameter Jobs).defaultValue | Should -Be 'The number of processors'
    }

    It 'keeps the parameter contract of <_> that runbooks bind to (ParameterContracts.psd1)' -ForEach $commands {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $actual = foreach ($set in (Get-Command $_).ParameterSets | Sort-Object Name) {
            $parameters = $set.Parameters | Where-Object Name -NotIn $common | Sort-Object Name | ForEach-Object {
                $flags = @(
                    if ($_.IsMandatory) { 'Mandatory' }
                    if ($_.Position -ge 0) { "Position$($_.Position)" }
                    if ($_.ValueFromPipeline) { 'ByValue' }
                    if ($_.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
                "'$($_.Name)$(if ($flags) { ':' + ($flags -join ',') })'"
            }
            "'$($set.Name)$(if ($set.IsDefault) { ' (default)' })' = @($($parameters -join ', '))"
        }
        $contract = (Import-PowerShellDataFile -Path (Join-Path $PSScriptRoot 'ParameterContracts.psd1'))[$_]
        $expected = foreach ($set in $contract.Keys | Sort-Object) { "'$set' = @($(($contract[$set] | ForEach-Object { "'$_'" }) -join ', '))" }
        $actual | Should -Be $expected -Because 'a parameter change breaks runbooks; if it is meant, put the new line in tests/pester/ParameterContracts.psd1'
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

Describe 'Get-KeyCapacity as an operator reads it' {
    BeforeAll {
        if (-not $env:DBRECOVERY_TEST_KEYS_URL) {
            throw 'Set DBRECOVERY_TEST_KEYS_URL to a postgresql:// URL of a database with public.invoices (id serial at 2000000000) and public.payments (invoice_id smallint referencing it).'
        }
    }

    It 'shows the serial key at 93 % with its narrower reference, whole at 120 columns, the essentials at 80' {
        $keys = @(Get-KeyCapacity -ConnectionString $env:DBRECOVERY_TEST_KEYS_URL -WarningVariable warned -WarningAction SilentlyContinue)
        $invoices = $keys | Where-Object { $_.Key.Table -eq 'invoices' }
        $invoices.UsedPercent | Should -BeGreaterThan 93
        $invoices.Narrower | Should -Be 'public.payments.invoice_id (smallint)'
        $warned | Should -Match 'public.payments.invoice_id \(smallint\) references public.invoices.id \(integer\)'

        $lines = ($invoices | Out-String -Width 120) -split "`n" | ForEach-Object TrimEnd
        $lines | Where-Object Length -GT 120 | Should -BeNullOrEmpty
        $lines | Should -Contain 'Key                                Type         Used TimeLeft   Referencing               LastValue             Maximum'
        ($lines -match '^public\.invoices\.id\s+integer\s+93\.13 %\s+unknown\s+1 \(1 narrower\)\s+2000000000\s+2147483647$').Count |
            Should -Be 1

        $narrow = ($invoices | Out-String -Width 80) -split "`n" | ForEach-Object TrimEnd
        $narrow | Where-Object Length -GT 80 | Should -BeNullOrEmpty
        $narrow | Should -Contain 'Key                                Type         Used TimeLeft   Referencing'
        ($narrow -match '^public\.invoices\.id\s+integer\s+93\.13 %\s+unknown\s+1 \(1 narrower\)$').Count | Should -Be 1
    }
}

Describe 'Convert-IdColumns -To bigint as an operator previews it' {
    It 'shows the widening of the key, its reference and its sequence with -WhatIf, and changes nothing' {
        $transcript = Join-Path $TestDrive 'bigint-whatif.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        Convert-IdColumns -ConnectionString $env:DBRECOVERY_TEST_KEYS_URL -Table invoices -To bigint -WhatIf
        Stop-Transcript | Out-Null
        $text = Get-Content -Raw -Path $transcript
        $text | Should -Match 'What if: -- Convert key columns and every column that references them \(DbRecovery\)'
        $text | Should -Match ([regex]::Escape('ALTER COLUMN "id" TYPE bigint USING "id"::bigint,'))
        $text | Should -Match ([regex]::Escape('ALTER COLUMN "invoice_id" TYPE bigint USING "invoice_id"::bigint;'))
        $text | Should -Match ([regex]::Escape('ALTER SEQUENCE invoices_id_seq AS bigint;'))
        $key = (Get-KeyCapacity -ConnectionString $env:DBRECOVERY_TEST_KEYS_URL -WarningAction SilentlyContinue |
            Where-Object { $_.Key.Table -eq 'invoices' })
        $key.Type | Should -Be 'integer'
    }

    It 'previews -Online: the swap hands the serial key''s sequence, widened, to the new column' {
        $transcript = Join-Path $TestDrive 'bigint-online-whatif.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        Convert-IdColumns -ConnectionString $env:DBRECOVERY_TEST_KEYS_URL -Table invoices -To bigint -Online -WhatIf
        Stop-Transcript | Out-Null
        $text = Get-Content -Raw -Path $transcript
        $text | Should -Match ([regex]::Escape('ALTER SEQUENCE invoices_id_seq AS bigint OWNED BY "public"."invoices"."id"'))
        (Get-SchemaState -ConnectionString $env:DBRECOVERY_TEST_KEYS_URL).Tables.Where({ $_.Name -eq 'invoices' }).Columns.Where({ $_.Name -eq 'id' }).Type |
            Should -Be 'integer'
    }
}

Describe 'Installed the way PowerShell users install modules' {
    It 'is published to a file repository, installed with Install-PSResource in a fresh pwsh, imported by name and reads the database' {
        if (-not $env:DBRECOVERY_TEST_DATABASE_URL) {
            throw 'Set DBRECOVERY_TEST_DATABASE_URL to a postgresql:// URL of a database these tests may read.'
        }

        $userHome = Join-Path $TestDrive 'home'
        $repository = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'repository')
        $install = @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name DbRecoveryLocal -Uri $env:DBRECOVERY_REPOSITORY -Trusted
Publish-PSResource -Path $env:DBRECOVERY_MODULE -Repository DbRecoveryLocal
Install-PSResource -Name DbRecovery -Repository DbRecoveryLocal -Scope CurrentUser
Import-Module DbRecovery
$module = Get-Module DbRecovery
"INSTALLED $($module.Name) $($module.Version) $($module.ModuleBase)"
"SCHEMAS $((Get-SchemaState -ConnectionString $env:DBRECOVERY_TEST_DATABASE_URL).Schemas -join ',')"
'@
        $saved = $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME, $env:PSModulePath
        try {
            # A new user: the CurrentUser module path and the repository settings live under this HOME.
            $env:HOME = $userHome; $env:XDG_DATA_HOME = $null; $env:XDG_CONFIG_HOME = $null; $env:PSModulePath = $null
            $env:DBRECOVERY_REPOSITORY = $repository.FullName
            $env:DBRECOVERY_MODULE = Split-Path $manifest
            $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $install 2>&1
            $exit = $LASTEXITCODE
        }
        finally {
            $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME, $env:PSModulePath = $saved
        }

        $exit | Should -Be 0 -Because ($output -join "`n")
        Get-ChildItem -Path $repository -Filter 'DbRecovery.*.nupkg' | Should -HaveCount 1
        $version = (Test-ModuleManifest -Path $manifest).Version
        $output | Should -Contain "INSTALLED DbRecovery $version $(Join-Path $userHome ".local/share/powershell/Modules/DbRecovery/$version")"
        $output | Should -Contain 'SCHEMAS public'
    }

    It 'carries what the Gallery shows: version, author, licence, project, tags and release notes' {
        $data = (Import-PowerShellDataFile -Path $manifest).PrivateData.PSData
        $data.LicenseUri | Should -Match '^https://'
        $data.ProjectUri | Should -Match '^https://'
        $data.Tags | Should -Contain 'PostgreSQL'
        $data.ReleaseNotes | Should -Match (Test-ModuleManifest -Path $manifest).Version.ToString()
        (Test-ModuleManifest -Path $manifest).Author | Should -Not -BeNullOrEmpty
        Test-Path (Join-Path (Split-Path $manifest) 'LICENSE.txt') | Should -BeTrue
    }
}

Describe 'Recovery planning as a runbook sees it' {
    BeforeAll {
        if (-not $env:DBRECOVERY_TEST_DATABASE_URL) {
            throw 'Set DBRECOVERY_TEST_DATABASE_URL to a postgresql:// URL of a database these tests may read.'
        }

        # An Alembic project of two revisions: the first is the database's uuid tables, the second references users.id as String(36).
        $url = $env:DBRECOVERY_TEST_DATABASE_URL
        $project = Join-Path $TestDrive 'backend'
        $versions = New-Item -ItemType Directory -Path (Join-Path $project 'migrations/versions') -Force
        Set-Content -Path (Join-Path $project 'alembic.ini') -Value "[alembic]`nscript_location = %(here)s/migrations`n"
        Set-Content -Path (Join-Path $project 'migrations/env.py') -Value @'
import os
from alembic import context
from sqlalchemy import create_engine, pool
engine = create_engine(os.environ["DATABASE_URL"], poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'@
        Set-Content -Path (Join-Path $versions 'pest0001_accounts.py') -Value @'
revision = "pest0001"
down_revision = None
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
def upgrade():
    op.create_table("organizations", sa.Column("id", postgresql.UUID(), primary_key=True))
    op.create_table("users", sa.Column("id", postgresql.UUID(), primary_key=True), sa.Column("organization_id", postgresql.UUID(), sa.ForeignKey("organizations.id")))
'@
        Set-Content -Path (Join-Path $versions 'pest0002_folders.py') -Value @'
revision = "pest0002"
down_revision = "pest0001"
from alembic import op
import sqlalchemy as sa
def upgrade():
    op.create_table("folders", sa.Column("id", sa.String(36), primary_key=True), sa.Column("owner_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False))
'@
        $plan = Get-RecoveryPlan -Path $project -ConnectionString $url

        # The default view at 120 columns, checked to fit, with its whitespace collapsed for matching.
        function Render($object) {
            $text = $object | Out-String -Width 120
            $text -split "`n" | Where-Object { $_.TrimEnd().Length -gt 120 } | Should -BeNullOrEmpty
            $text -replace '\s+', ' '
        }
    }

    It 'shows the whole plan in a default view that fits 120 columns' {
        $text = Render $plan
        $text | Should -Match 'TrueRevision\s+: pest0001 \(score 1\.00\)'
        $text | Should -Match 'AlembicVersion\s+: no alembic_version table'
        $text | Should -Match 'Conversions\s+: public\.users\.id uuid -> character varying\(36\) \(1 columns\): revision pest0002 references it from public\.folders\.owner_id'
        $text | Should -Match 'Stamp\s+: pest0001'
        $text | Should -Match 'Upgrade\s+: 1 revisions to pest0002: pest0002'
        $text | Should -Match 'Blockers\s+: none'
        $text | Should -Match '3\. Convert public\.users\.id \(uuid\) to character varying\(36\)'
    }

    It 'says why alembic upgrade would fail here, in its default view' {
        $report = Test-AlembicUpgrade -Path $project -ConnectionString $url
        $report.Verdict | Should -Be 'WillFail'
        $text = Render $report
        $text | Should -Match 'Verdict\s+: WillFail'
        $text | Should -Match 'Upgrade\s+: pest0001 -> pest0002 \(1 revisions, static check\)'
        $text | Should -Match 'pest0002 line \d+ create_table folders \[IncompatibleForeignKey\]: foreign key constraint "folders_owner_id_fkey" cannot be implemented'
    }

    It 'writes the plan as a script that parses and runs each step with its cmdlet' {
        $script = Get-RecoveryPlan -Path $project -ConnectionString $url -AsScript
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseInput($script, [ref] $null, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        $script | Should -Match "(?m)^\`$null = Convert-IdColumns @database -Table 'public\.users' -To 'character varying\(36\)' -Confirm:\`$false$"
        $script | Should -Match "(?m)^\`$null = Set-AlembicVersion @database -Path '.*backend' -Revision 'pest0001' -Confirm:\`$false$"
        $script | Should -Match "(?m)^Test-RecoveryState @database -Path '.*backend' -ExpectColumnType 'public\.users\.id=character varying\(36\)' -FailOnError$"
    }

    It 'runs the example runbook with -WhatIf: it prints the plan as a script and changes nothing' {
        $runbook = Join-Path (Split-Path $manifest) 'Examples/Repair-DriftedDatabase.ps1'
        $backup = Join-Path $TestDrive 'runbook-backup'
        $transcript = Join-Path $TestDrive 'runbook-whatif.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        # The runbook plans with real Alembic on the scratch database, so it needs an empty one.
        $alembic = $env:DBRECOVERY_TEST_ALEMBIC -split ','
        & $runbook -Path $project -ConnectionString $url -ScratchConnectionString $env:DBRECOVERY_TEST_SCRATCH_URL -BackupPath $backup -AlembicCommand $alembic -WhatIf
        Stop-Transcript | Out-Null
        $output = Get-Content -Raw -Path $transcript
        $output | Should -Match 'What if: # Recovery plan for postgresql://'
        $output | Should -Match ([regex]::Escape("Convert-IdColumns @database -Table 'public.users' -To 'character varying(36)'"))
        $output | Should -Not -Match ([regex]::Escape(($url -replace '^postgresql://[^:]+:([^@]+)@.*$', '$1')))
        Test-Path $backup | Should -BeFalse
        ((Get-SchemaState -ConnectionString $url).Tables | Where-Object Name -EQ 'users').Columns.Where({ $_.Name -eq 'id' }).Type | Should -Be 'uuid'
    }

    It 'refuses to prompt in a -NonInteractive runbook: exits 1, says what to pass, changes nothing' {
        $saved = $env:DATABASE_URL
        try {
            $env:DATABASE_URL = $url
            $output = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$manifest'; Convert-IdColumns -Table users -To 'varchar(36)'" 2>&1
            $LASTEXITCODE | Should -Be 1
        }
        finally {
            $env:DATABASE_URL = $saved
        }
        $text = ($output -join ' ') -replace '\s+', ' '
        $text | Should -Match 'Convert-IdColumns asks to confirm before it changes anything, and this PowerShell cannot prompt \(-NonInteractive\)\. Nothing was changed\. Pass -Confirm:\$false to run it unattended, or -WhatIf'
        ((Get-SchemaState -ConnectionString $url).Tables | Where-Object Name -EQ 'users').Columns.Where({ $_.Name -eq 'id' }).Type | Should -Be 'uuid'
    }

    It 'applies a plan read back from <_> unchanged, and -WhatIf changes nothing' -ForEach 'Clixml', 'JSON' {
        $file = Join-Path $TestDrive "plan.$_"
        $back = if ($_ -eq 'Clixml') { $plan | Export-Clixml -Path $file; Import-Clixml -Path $file }
                else { $plan | ConvertTo-Json -Depth 10 | Set-Content -Path $file; Get-Content -Raw -Path $file | ConvertFrom-Json }
        $transcript = Join-Path $TestDrive "whatif-$_.txt"
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        $back | Invoke-RecoveryPlan -ConnectionString $url -BackupPath (Join-Path $TestDrive "backup-$_") -ScratchConnectionString $url -WhatIf
        Stop-Transcript | Out-Null
        $shown = Get-Content -Raw -Path $transcript
        $shown | Should -Match 'What if: # Recovery plan for postgresql://[^@]+@[^,]+, made '
        $shown | Should -Match ([regex]::Escape("Convert-IdColumns @database -Table 'public.users' -To 'character varying(36)'"))
        Test-Path (Join-Path $TestDrive "backup-$_") | Should -BeFalse
        ((Get-SchemaState -ConnectionString $url).Tables | Where-Object Name -EQ 'users').Columns.Where({ $_.Name -eq 'id' }).Type | Should -Be 'uuid'
    }
}

# Last on purpose: it converts the shared database's users and organizations, and converts them back at the end.
Describe 'Convert-IdColumns -Online as a runbook runs it' {
    BeforeAll {
        if (-not $env:DBRECOVERY_TEST_DATABASE_URL) {
            throw 'Set DBRECOVERY_TEST_DATABASE_URL to a postgresql:// URL of a database these tests may change.'
        }

        $url = $env:DBRECOVERY_TEST_DATABASE_URL
        function TypeOf($table, $column) { ((Get-SchemaState -ConnectionString $url).Tables | Where-Object Name -EQ $table).Columns.Where({ $_.Name -eq $column }).Type }
        function Columns($table) { ((Get-SchemaState -ConnectionString $url).Tables | Where-Object Name -EQ $table).Columns.Name }
    }

    It 'survives its pwsh being killed mid-backfill: the schema stays uuid, and the rerun finishes' {
        $journal = Join-Path $TestDrive 'journal.jsonl'
        $run = "Import-Module '$manifest'; Convert-IdColumns -ConnectionString '$url' -Table users, organizations -Online -BatchSize 1 -BatchDelay 3 -JournalPath '$journal' -Confirm:`$false"
        $client = Start-Process -FilePath (Join-Path $PSHOME 'pwsh') -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $run -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'out.txt') -RedirectStandardError (Join-Path $TestDrive 'err.txt')
        $deadline = (Get-Date).AddMinutes(1)
        while ('id__dbr_new' -notin (Columns 'users') -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Start-Sleep -Milliseconds 1500
        $client.HasExited | Should -BeFalse -Because "the backfill pauses 3 s a batch; the client said: $(Get-Content -Raw (Join-Path $TestDrive 'err.txt'))"
        $client.Kill()
        $client.WaitForExit()

        TypeOf 'users' 'id' | Should -Be 'uuid'
        TypeOf 'users' 'organization_id' | Should -Be 'uuid'
        Columns 'users' | Should -Contain 'id__dbr_new'

        $deadline = (Get-Date).AddSeconds(20)
        do {
            # The killed client's backend lets go of DbRecovery's lock once the server notices it is gone.
            $failure = $null
            try { $done = Convert-IdColumns -ConnectionString $url -Table users, organizations -Online -JournalPath $journal -Confirm:$false }
            catch { $failure = $_; Start-Sleep -Milliseconds 500 }
        } while ($failure -and $failure.FullyQualifiedErrorId -like 'RecoveryInProgress,*' -and (Get-Date) -lt $deadline)
        $failure | Should -BeNullOrEmpty
        @($done).Count | Should -Be 3
        TypeOf 'users' 'id' | Should -Be 'character varying(36)'
        Columns 'users' | Where-Object { $_ -like '*__dbr*' } | Should -BeNullOrEmpty
        (Get-RecoveryJournal -JournalPath $journal | Select-Object -Last 1).Outcome | Should -Be 'Committed'
    }

    It 'refuses -Abort with nothing to abort, prints the online script, and converts back online' {
        { Convert-IdColumns -ConnectionString $url -Abort -Confirm:$false } | Should -Throw -ErrorId 'NoOnlineConversion,DbRecovery.Commands.ConvertIdColumnsCommand'

        $script = Convert-IdColumns -ConnectionString $url -Table users -To uuid -Online -AsScript
        $script | Should -Match "(?m)^-- Online, each step on its own and committed before the next"
        $script | Should -Match '(?m)^ALTER TABLE "public"\."users" VALIDATE CONSTRAINT "users__dbr_check";$'
        Convert-IdColumns -ConnectionString $url -Table users, organizations -To uuid -Online -Confirm:$false | Should -HaveCount 3
        TypeOf 'users' 'id' | Should -Be 'uuid'
        TypeOf 'organizations' 'id' | Should -Be 'uuid'
    }
}
