#Requires -Version 7.4
<#
.SYNOPSIS
    Builds and tests DbRecovery.
.DESCRIPTION
    Build: dotnet build, which also assembles the importable module in out/DbRecovery/.
    Demo:  builds, then recovers a staged incident: a throwaway PostgreSQL (local binaries, or Docker when
           present) gets a database drifted like the incident, module/Examples/Repair-DriftedDatabase.ps1
           repairs it, and the server is stopped.
    Test:  dotnet test: the xUnit suites (engine, and cmdlets in a hosted PowerShell), and the Pester
           suite in tests/pester, run in a real pwsh (the local tool of .config/dotnet-tools.json).
    Clean: removes build output and out/.
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean', 'Demo')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$solution = Join-Path $PSScriptRoot 'DbRecovery.sln'

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE."
    }
}

switch ($Task) {
    'Clean' {
        Invoke-Dotnet clean $solution -c $Configuration
        Remove-Item -Path (Join-Path $PSScriptRoot 'out') -Recurse -Force -ErrorAction Ignore
    }
    'Build' {
        Invoke-Dotnet build $solution -c $Configuration
    }
    'Demo' {
        Invoke-Dotnet build $solution -c $Configuration
        # The incident test stages the drifted database on the test server and runs the example runbook in PowerShell.
        Invoke-Dotnet test (Join-Path $PSScriptRoot 'tests/DbRecovery.Tests') -c $Configuration --no-build `
            --filter 'FullyQualifiedName~RecoveryPlanTests.Migration_files_edited_after_they_were_applied' --logger 'console;verbosity=detailed'
    }
    'Test' {
        Invoke-Dotnet tool restore
        Invoke-Dotnet test $solution -c $Configuration
    }
}
