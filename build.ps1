#Requires -Version 7.4
<#
.SYNOPSIS
    Builds and tests DbRecovery.
.DESCRIPTION
    Build: dotnet build, which also assembles the importable module in out/DbRecovery/.
    Demo:  builds, then recovers a staged incident as an operator sees it: a throwaway PostgreSQL (local
           binaries, or Docker when present) gets a database migrated with real Alembic and stamped head by
           hand; a real pwsh shows the drift, the true revision and its evidence, the plan, the recovery with
           progress, the checklist, the journal and a one-line verdict. The server is stopped however it ends.
    Test:  dotnet test: the xUnit suites (engine, and cmdlets in a hosted PowerShell), and the Pester
           suite in tests/pester, run in a real pwsh (the local tool of .config/dotnet-tools.json).
    Package: builds, then writes out/package/DbRecovery.<version>.nupkg, the module as the PowerShell Gallery
           takes it (Publish-PSResource), with its manifest's version, author, licence, project URI, tags and notes.
    Clean: removes build output and out/.
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Demo
.EXAMPLE
    ./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean', 'Demo', 'Package')]
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
        # Stages the drifted database on a throwaway server and runs tests/DbRecovery.Demo/Show-Recovery.ps1 in the pwsh running this.
        $env:PWSH = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        Invoke-Dotnet run --project (Join-Path $PSScriptRoot 'tests/DbRecovery.Demo') -c $Configuration
    }
    'Package' {
        # A PowerShell Gallery package (.nupkg) of the built module, for Publish-PSResource or a file repository.
        Invoke-Dotnet build $solution -c $Configuration
        $destination = Join-Path $PSScriptRoot 'out/package'
        New-Item -ItemType Directory -Force -Path $destination | Out-Null
        Compress-PSResource -Path (Join-Path $PSScriptRoot 'out/DbRecovery') -DestinationPath $destination
        Get-ChildItem -Path $destination -Filter 'DbRecovery.*.nupkg'
    }
    'Test' {
        Invoke-Dotnet tool restore
        Invoke-Dotnet test $solution -c $Configuration
    }
}
