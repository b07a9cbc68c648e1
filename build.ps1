#Requires -Version 7.4
<#
.SYNOPSIS
    Builds and tests DbRecovery.
.DESCRIPTION
    Build: dotnet build, which also assembles the importable module in out/DbRecovery/.
    Demo:  builds, then recovers a staged incident: a throwaway PostgreSQL (local binaries, or Docker when
           present) gets a database drifted like the incident, module/Examples/Repair-DriftedDatabase.ps1
           repairs it, and the server is stopped.
    Test:  the xUnit suites (engine, and cmdlets in a hosted PowerShell), then the Pester
           tests in tests/pester when Pester 5 is installed.
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
            --filter 'FullyQualifiedName~IncidentRecoveryTests' --logger 'console;verbosity=detailed'
    }
    'Test' {
        Invoke-Dotnet test $solution -c $Configuration
        $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -GE ([version] '5.0') | Select-Object -First 1
        if ($pester) {
            Import-Module $pester
            $result = Invoke-Pester -Path (Join-Path $PSScriptRoot 'tests/pester') -Output Detailed -PassThru
            if ($result.FailedCount -gt 0) {
                throw "$($result.FailedCount) Pester test(s) failed."
            }
        }
        else {
            Write-Warning 'Pester 5 is not installed: the Pester tests in tests/pester were not run (Install-Module Pester -MinimumVersion 5.0).'
        }
    }
}
