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

    private Dictionary<string, object?> Vars => new()
    {
        ["url"] = Database.Url,
        ["journal"] = _journal,
        ["role"] = Role,
        ["old"] = new PSCredential(Role, new NetworkCredential(string.Empty, OldPassword).SecurePassword),
        ["roleUrl"] = TestUrl.FromSettings(Database.Settings, password: OldPassword).Replace(Uri.EscapeDataString(Database.Settings.Username!) + ":", Role + ":", StringComparison.Ordinal),
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

        var rotated = shell.Run("$script:new = Reset-DatabasePassword -ConnectionString $url -Role $role -OldCredential $old -JournalPath $journal -Confirm:$false -Verbose; $new", Vars).ThrowOnError();
        var credential = Assert.IsType<PSCredential>(rotated.Output.Single().BaseObject);
        var password = credential.GetNetworkCredential().Password;
        Assert.Equal(32, password.Length);
        Assert.DoesNotContain(password, rotated.AllText, StringComparison.Ordinal);

        var after = shell.Run("(Test-CredentialRevoked -ConnectionString $roleUrl).Status; (Test-CredentialRevoked -ConnectionString $roleUrl -Credential $new).Status", Vars).ThrowOnError();
        Assert.Equal(["Pass", "Fail"], after.Output.Select(o => o.ToString()));
        Assert.DoesNotContain(password, File.ReadAllText(_journal), StringComparison.Ordinal);
    }

    [Fact]
    public void AsConnectionString_returns_the_updated_url_as_a_secure_string_and_WhatIf_changes_nothing()
    {
        shell.Run("Reset-DatabasePassword -ConnectionString $url -Role $role -WhatIf", Vars).ThrowOnError();
        Assert.Equal("Fail", shell.Run("(Test-CredentialRevoked -ConnectionString $roleUrl).Status", Vars).ThrowOnError().Output.Single().ToString());

        var result = shell.Run("Reset-DatabasePassword -ConnectionString $url -Role $role -AsConnectionString -Length 40 -JournalPath $journal -Confirm:$false", Vars).ThrowOnError();

        var url = new NetworkCredential(string.Empty, Assert.IsType<SecureString>(result.Output.Single().BaseObject)).Password;
        Assert.StartsWith($"postgresql://{Role}:", url, StringComparison.Ordinal);
        Assert.Equal("Fail", shell.Run("(Test-CredentialRevoked -ConnectionString $newUrl).Status", new Dictionary<string, object?> { ["newUrl"] = url }).ThrowOnError().Output.Single().ToString());
    }

    [Fact]
    public void Find_ExposedSecret_scans_files_and_piped_text_without_emitting_secrets()
    {
        var folder = Directory.CreateTempSubdirectory("dbr-scan-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "plan.md"), "## Recovery\nexport DATABASE_URL=postgresql://app:Fak3-Pass-4-Tests@db/app\nrender: rnd_FakeKeyForUnitTestsOnly123\n");
            var result = shell.Run("""
                Find-ExposedSecret -Path $folder | ForEach-Object { '{0}:{1} {2} {3}' -f [IO.Path]::GetFileName($_.Path), $_.Line, $_.Kind, $_.Preview }
                'nothing here', 'Password=Fak3Pw4Tests;Host=db' | Find-ExposedSecret | ForEach-Object { '{0} {1}' -f $_.Line, $_.Kind }
                """, new Dictionary<string, object?> { ["folder"] = folder }).ThrowOnError();

            Assert.Equal(["plan.md:2 PostgresUrlPassword Fak3********", "plan.md:3 HostingApiKey rnd_********", "2 ConnectionStringPassword"], result.Output.Select(o => o.ToString()));
            Assert.DoesNotContain("Fak3-Pass-4-Tests", result.AllText, StringComparison.Ordinal);
            var files = shell.Run("[IO.FileInfo]::new([IO.Path]::Combine($folder, 'plan.md')) | Find-ExposedSecret | ForEach-Object Kind", new Dictionary<string, object?> { ["folder"] = folder }).ThrowOnError();
            Assert.Equal(["PostgresUrlPassword", "HostingApiKey"], files.Output.Select(o => o.ToString()));
            var missing = shell.Run("Find-ExposedSecret -Path ($folder + '/nope')", new Dictionary<string, object?> { ["folder"] = folder });
            Assert.Equal("PathNotFound,DbRecovery.Commands.FindExposedSecretCommand", missing.SingleError().FullyQualifiedErrorId);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
