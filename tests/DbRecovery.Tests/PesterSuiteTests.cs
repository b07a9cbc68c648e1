using DbRecovery.TestSupport;
using Xunit.Abstractions;

namespace DbRecovery.Tests;

/// <summary>
/// Runs tests/pester in a real pwsh (the PowerShell global tool of .config/dotnet-tools.json) with Pester 5.7.1,
/// the way a runbook uses the module, against a database of its own: so the one test command runs both suites.
/// </summary>
public sealed class PesterSuiteTests(ITestOutputHelper output)
{
    private const string PesterVersion = "5.7.1";

    [Fact]
    public async Task Pester_suite_passes_in_real_pwsh()
    {
        var server = await PostgresServer.GetAsync();
        await using var database = await server.CreateDatabaseAsync();
        await using var scratch = await server.CreateDatabaseAsync();
        await database.ExecuteAsync(
            """
            CREATE TABLE organizations (id uuid PRIMARY KEY); CREATE TABLE users (id uuid PRIMARY KEY, organization_id uuid REFERENCES organizations (id));
            INSERT INTO organizations SELECT gen_random_uuid() FROM generate_series(1, 10);
            INSERT INTO users SELECT gen_random_uuid(), o.id FROM organizations o, generate_series(1, 20);
            """
        );
        await using var keys = await server.CreateDatabaseAsync();
        await keys.ExecuteAsync(
            """
            CREATE TABLE invoices (id serial PRIMARY KEY); CREATE TABLE payments (invoice_id smallint REFERENCES invoices (id));
            SELECT setval('invoices_id_seq', 2000000000);
            """
        );
        var pester = PesterManifest();
        var script = $$"""
            $ErrorActionPreference = 'Stop'
            $PSStyle.OutputRendering = 'PlainText'
            Import-Module '{{pester}}' -RequiredVersion {{PesterVersion}}
            $configuration = New-PesterConfiguration
            $configuration.Run.Path = '{{Path.Combine(RepositoryPaths.Root, "tests", "pester")}}'
            $configuration.Run.PassThru = $true
            $configuration.Output.Verbosity = 'Detailed'
            $result = Invoke-Pester -Configuration $configuration
            "PESTER-RESULT passed=$($result.PassedCount) failed=$($result.FailedCount) skipped=$($result.SkippedCount) notrun=$($result.NotRunCount)"
            """;
        var (exitCode, text) = await RealPwsh.RunScriptAsync(
            script,
            new Dictionary<string, string>
            {
                [PostgresServer.UrlVariable] = database.Url,
                ["DBRECOVERY_TEST_SCRATCH_URL"] = scratch.Url,
                ["DBRECOVERY_TEST_KEYS_URL"] = keys.Url,
                ["DBRECOVERY_TEST_ALEMBIC"] = string.Join(",", AlembicTestProject.AlembicCommand),
            }
        );
        output.WriteLine(text.Replace(database.Settings.Password!, "********", StringComparison.Ordinal));

        Assert.True(exitCode == 0, $"pwsh exited with {exitCode}");
        var summary = Assert
            .Single(text.Split('\n'), l => l.StartsWith("PESTER-RESULT", StringComparison.Ordinal))
            .Trim();
        Assert.Matches(@"^PESTER-RESULT passed=[1-9]\d* failed=0 skipped=0 notrun=0$", summary);
    }

    private static string PesterManifest()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var manifest = Path.Combine(packages, "pester", PesterVersion, "tools", "Pester.psd1");
        return File.Exists(manifest)
            ? manifest
            : throw new InvalidOperationException(
                $"Pester {PesterVersion} is not at {manifest}. Run 'dotnet restore DbRecovery.sln' "
                    + "(tests/DbRecovery.Tests downloads it)."
            );
    }
}
