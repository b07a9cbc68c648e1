using System.Management.Automation;
using System.Net;
using System.Security;
using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class CredentialCommandTests(PowerShellSession shell) : IAsyncLifetime
{
    private const string OldPassword = "Old-Example-Pass-2";
    private readonly string _journal = Path.Combine(Path.GetTempPath(), $"dbr-journal-{Guid.NewGuid():N}.jsonl");
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    private string Role => "svc_" + Database.Name;

    private Dictionary<string, object?> Vars =>
        new()
        {
            ["url"] = Database.Url,
            ["journal"] = _journal,
            ["role"] = Role,
            ["old"] = new PSCredential(Role, new NetworkCredential(string.Empty, OldPassword).SecurePassword),
            ["roleUrl"] = TestUrl
                .FromSettings(Database.Settings, password: OldPassword)
                .Replace(Uri.EscapeDataString(Database.Settings.Username!) + ":", Role + ":", StringComparison.Ordinal),
        };

    public async Task InitializeAsync()
    {
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        await _database.ExecuteAsync($"CREATE ROLE {Role} LOGIN PASSWORD '{OldPassword}'");
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        await using var admin = new Npgsql.NpgsqlConnection(Database.Server.Admin.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP ROLE IF EXISTS {Role}", admin);
        await drop.ExecuteNonQueryAsync();
        File.Delete(_journal);
    }

    [Fact]
    public void Rotation_returns_a_working_credential_and_the_old_one_then_tests_revoked()
    {
        var before = shell.Run("(Test-CredentialRevoked -ConnectionString $roleUrl).Status", Vars).ThrowOnError();
        Assert.Equal("Fail", before.Output.Single().ToString());

        var rotated = shell
            .Run(
                "$script:new = Reset-DatabasePassword -ConnectionString $url -Role $role -OldCredential $old "
                    + "-JournalPath $journal -Confirm:$false -Verbose; $new",
                Vars
            )
            .ThrowOnError();
        var credential = Assert.IsType<PSCredential>(rotated.Output.Single().BaseObject);
        var password = credential.GetNetworkCredential().Password;
        Assert.Equal(32, password.Length);
        Assert.DoesNotContain(password, rotated.AllText, StringComparison.Ordinal);

        var after = shell
            .Run(
                "(Test-CredentialRevoked -ConnectionString $roleUrl).Status; (Test-CredentialRevoked "
                    + "-ConnectionString $roleUrl -Credential $new).Status",
                Vars
            )
            .ThrowOnError();
        Assert.Equal(["Pass", "Fail"], after.Output.Select(o => o.ToString()));
        Assert.DoesNotContain(password, File.ReadAllText(_journal), StringComparison.Ordinal);
    }

    [Fact]
    public void AsConnectionString_returns_the_updated_url_as_a_secure_string_and_WhatIf_changes_nothing()
    {
        shell.Run("Reset-DatabasePassword -ConnectionString $url -Role $role -WhatIf", Vars).ThrowOnError();
        Assert.Equal(
            "Fail",
            shell
                .Run("(Test-CredentialRevoked -ConnectionString $roleUrl).Status", Vars)
                .ThrowOnError()
                .Output.Single()
                .ToString()
        );

        var result = shell
            .Run(
                "Reset-DatabasePassword -ConnectionString $url -Role $role -AsConnectionString -Length 40 "
                    + "-JournalPath $journal -Confirm:$false",
                Vars
            )
            .ThrowOnError();

        var url = new NetworkCredential(
            string.Empty,
            Assert.IsType<SecureString>(result.Output.Single().BaseObject)
        ).Password;
        Assert.StartsWith($"postgresql://{Role}:", url, StringComparison.Ordinal);
        Assert.Equal(
            "Fail",
            shell
                .Run(
                    "(Test-CredentialRevoked -ConnectionString $newUrl).Status",
                    new Dictionary<string, object?> { ["newUrl"] = url }
                )
                .ThrowOnError()
                .Output.Single()
                .ToString()
        );
    }

    [Fact]
    public void Find_ExposedSecret_scans_files_and_piped_text_without_emitting_secrets()
    {
        var folder = Directory.CreateTempSubdirectory("dbr-scan-").FullName;
        try
        {
            File.WriteAllText(
                Path.Combine(folder, "plan.md"),
                "## Recovery\nexport DATABASE_URL=postgresql://app:Fak3-Pass-4-Tests@db/app\nrender: "
                    + "rnd_FakeKeyForUnitTestsOnly123\n"
            );
            var result = shell
                .Run(
                    """
                    Find-ExposedSecret -Path $folder | ForEach-Object { '{0}:{1} {2} {3}' -f [IO.Path]::GetFileName($_.Path), $_.Line, $_.Kind, $_.Preview }
                    'nothing here', 'Password=Fak3Pw4Tests;Host=db' | Find-ExposedSecret | ForEach-Object { '{0} {1}' -f $_.Line, $_.Kind }
                    """,
                    new Dictionary<string, object?> { ["folder"] = folder }
                )
                .ThrowOnError();

            Assert.Equal(
                [
                    "plan.md:2 url-password Fak3********",
                    "plan.md:3 hosting-api-key rnd_********",
                    "2 connection-string-password",
                ],
                result.Output.Select(o => o.ToString())
            );
            Assert.DoesNotContain("Fak3-Pass-4-Tests", result.AllText, StringComparison.Ordinal);
            var files = shell
                .Run(
                    "[IO.FileInfo]::new([IO.Path]::Combine($folder, 'plan.md')) | Find-ExposedSecret | "
                        + "ForEach-Object Kind",
                    new Dictionary<string, object?> { ["folder"] = folder }
                )
                .ThrowOnError();
            Assert.Equal(["url-password", "hosting-api-key"], files.Output.Select(o => o.ToString()));
            var missing = shell.Run(
                "Find-ExposedSecret -Path ($folder + '/nope')",
                new Dictionary<string, object?> { ["folder"] = folder }
            );
            Assert.Equal(
                "PathNotFound,DbRecovery.Commands.FindExposedSecretCommand",
                missing.SingleError().FullyQualifiedErrorId
            );
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Lines_piped_one_by_one_are_scanned_together_so_a_private_key_spread_over_them_is_one_finding()
    {
        var result = shell
            .Run(
                """
                "notes`n-----BEGIN PRIVATE KEY-----`nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQInventedOnly0123456789`n-----END PRIVATE KEY-----" -split "`n" |
                    Find-ExposedSecret | ForEach-Object { '{0} {1} {2}' -f $_.Line, $_.Kind, $_.Preview }
                """
            )
            .ThrowOnError();

        Assert.Equal(["2 private-key ----********"], result.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void A_known_password_is_found_in_the_tree_and_in_a_commit_that_removed_it_and_never_printed()
    {
        const string Leaked = "Vn4Bx7Cz0Lk3Jh6Gf9Ds2Aq";
        var folder = Directory.CreateTempSubdirectory("dbr-known-").FullName;
        try
        {
            void Git(params string[] args) => GitRepository.Run(folder, args);

            Git("init", "-q");
            File.WriteAllText(
                Path.Combine(folder, "deploy.yml"),
                $"env:\n  DATABASE_URL: postgresql://app:{Leaked}@db/app\n"
            );
            Git("add", ".");
            Git("commit", "-q", "-m", "deploy");
            File.WriteAllText(Path.Combine(folder, "deploy.yml"), "env:\n  DATABASE_URL: ${DATABASE_URL}\n");
            Git("commit", "-q", "-am", "use the CI variable");
            File.WriteAllText(Path.Combine(folder, ".env"), $"DB_PASSWORD={Leaked}\n");
            var vars = new Dictionary<string, object?>
            {
                ["folder"] = folder,
                ["leaked"] = Leaked,
                ["sarif"] = Path.Combine(folder, "found.sarif"),
            };

            var result = shell
                .Run(
                    """
                    $secret = [System.Net.NetworkCredential]::new('', $leaked).SecurePassword
                    Find-ExposedSecret -Path $folder -Exclude *.sarif -Secret $secret -SarifPath $sarif -Verbose | ForEach-Object { '{0}:{1} {2} {3}' -f [IO.Path]::GetFileName($_.Path), $_.Line, $_.Kind, $_.Preview }
                    Find-ExposedSecret -Path $folder -Secret $secret -GitHistory | ForEach-Object { '{0}:{1} {2}' -f ($_.Path -split ':')[1], $_.Line, $_.Kind }
                    """,
                    vars
                )
                .ThrowOnError();

            Assert.Equal(
                [".env:1 known-secret-verbatim ********", "deploy.yml:2 known-secret-verbatim"],
                result.Output.Select(o => o.ToString())
            );
            Assert.DoesNotContain(Leaked, result.AllText, StringComparison.Ordinal);
            var sarif = File.ReadAllText(Path.Combine(folder, "found.sarif"));
            Assert.DoesNotContain(Leaked, sarif, StringComparison.Ordinal);
            Assert.Contains("\"ruleId\": \"known-secret-verbatim\"", sarif, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_bad_rule_file_stops_the_scan_with_its_rule_and_line()
    {
        var file = Path.Combine(Path.GetTempPath(), $"dbr-rules-{Guid.NewGuid():N}.toml");
        File.WriteAllText(file, "[[rules]]\nid = \"team-token\"\nregex = '''(team_'''\n");
        try
        {
            var error = shell
                .Run("'x' | Find-ExposedSecret -RulePath $file", new Dictionary<string, object?> { ["file"] = file })
                .SingleError();
            Assert.Equal(
                "SecretRulesInvalid,DbRecovery.Commands.FindExposedSecretCommand",
                error.FullyQualifiedErrorId
            );
            Assert.Contains(
                "line 1, rule 'team-token': the regex '(team_' is not valid",
                error.Exception.Message,
                StringComparison.Ordinal
            );
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_api_key_check_never_shows_the_key_and_says_why_it_is_inconclusive()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        const string Key = "old-api-key-Rt5Yu8Io1Pa4Sd7Fg";
        var result = shell
            .Run(
                "Test-CredentialRevoked -Uri $uri -Token ([System.Net.NetworkCredential]::new('', "
                    + "$key).SecurePassword) -HeaderName X-API-Key -TimeoutSec 5 -Verbose",
                new Dictionary<string, object?>
                {
                    ["uri"] = $"http://127.0.0.1:{port}/v1/services?token={Key}",
                    ["key"] = Key,
                }
            )
            .ThrowOnError();
        var check = Assert.Single(result.Output);
        Assert.Equal("Inconclusive", check.Properties["Status"].Value);
        Assert.Equal($"http://127.0.0.1:{port}/v1/services", check.Properties["Target"].Value);
        Assert.DoesNotContain(Key, result.AllText, StringComparison.Ordinal);
    }
}
