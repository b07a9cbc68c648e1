using System.Text.RegularExpressions;
using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

/// <summary>
/// Passwords that are also common words or digits must not garble what the user reads: messages carry the
/// password-free form of the target intact, and never the password itself as a token of its own.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class PasswordMaskingCommandTests(PowerShellSession shell) : IAsyncLifetime
{
    private const string Role = "dbr_mask_ops";
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    public async Task InitializeAsync() => _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        await Database.ExecuteAsync($"DROP ROLE IF EXISTS {Role}");
        await Database.DisposeAsync();
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("5")]
    [InlineData("p")]
    public async Task Messages_keep_the_target_intact_and_never_show_the_password(string password)
    {
        await Database.ExecuteAsync($"DROP ROLE IF EXISTS {Role}; CREATE ROLE {Role} LOGIN PASSWORD '{password}'");
        var settings = Database.Settings;
        var display = $"postgresql://{Role}@{settings.Host}:{settings.Port}";
        var scripts = new[]
        {
            // No such database: the error and the verbose stream name the target.
            "Get-SchemaState -ConnectionString "
                + $"'postgresql://{Role}:{password}@{settings.Host}:{settings.Port}/nosuchdb' -Verbose",
            // The right password through -Credential, the wrong one in the URL: the credential wins, then the database
            // is missing.
            $"Get-SchemaState -ConnectionString 'postgresql://{Role}:wrong@{settings.Host}:{settings.Port}/nosuchdb' "
                + $"-Credential ([pscredential]::new('{Role}', [System.Net.NetworkCredential]::new('', "
                + $"'{password}').SecurePassword)) -Verbose",
        };

        foreach (var script in scripts)
        {
            var result = shell.Run(script);
            var error = result.SingleError();
            var messages = new[] { error.Exception.Message, error.TargetObject?.ToString() ?? string.Empty }
                .Concat(result.Verbose)
                .Concat(result.Warnings)
                .ToList();

            Assert.Equal("DatabaseNotFound,DbRecovery.Commands.GetSchemaStateCommand", error.FullyQualifiedErrorId);
            Assert.Contains($"{display}/nosuchdb", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains(result.Verbose, v => v == $"Connecting to {display}/nosuchdb");
            Assert.All(messages, m => Assert.DoesNotContain("****", m, StringComparison.Ordinal));
            Assert.All(messages, m => Assert.DoesNotMatch($@"(?<![\w]){Regex.Escape(password)}(?![\w])", m));
        }
    }
}
