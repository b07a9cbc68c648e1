using System.Management.Automation;
using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class SchemaStateCommandTests(PowerShellSession shell) : IAsyncLifetime
{
    private const string WrongPassword = "Wr0ng-Example-Pass";
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    private Dictionary<string, object?> Vars => new() { ["url"] = Database.Url };

    public async Task InitializeAsync()
    {
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        await _database.ExecuteAsync(FixtureSchema.Sql);
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();

    private void AssertNoSecret(ScriptResult result)
    {
        Assert.DoesNotContain(Database.Settings.Password!, result.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, result.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Emits_one_SchemaState_whose_tables_read_naturally_in_the_pipeline()
    {
        var result = shell
            .Run(
                "Get-SchemaState -ConnectionString $url | ForEach-Object Tables | Where-Object Name -like 'user*' | "
                    + "ForEach-Object Name",
                Vars
            )
            .ThrowOnError();

        Assert.Equal(["users"], result.Output.Select(o => o.ToString()));
        var state = shell.Run("Get-SchemaState -ConnectionString $url", Vars).ThrowOnError().Output.Single();
        Assert.Equal("DbRecovery.Engine.Catalog.SchemaState", state.BaseObject.GetType().FullName);
        Assert.Equal(Database.Name, state.Properties["Database"].Value);
        Assert.Equal(
            new[] { FixtureSchema.StampedRevision },
            ((IEnumerable<string>)state.Properties["AlembicVersion"].Value).ToArray()
        );
    }

    [Fact]
    public async Task A_table_never_analyzed_says_so_and_is_sized_from_its_files()
    {
        // autovacuum_enabled = off: nothing analyzes it behind the test's back.
        await Database.ExecuteAsync(
            """
            CREATE TABLE fresh (id int PRIMARY KEY, note text) WITH (autovacuum_enabled = off);
            INSERT INTO fresh SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g;
            """
        );
        var table = shell
            .Run("Get-SchemaState -ConnectionString $url | ForEach-Object Tables | Where-Object Name -eq 'fresh'", Vars)
            .ThrowOnError()
            .Output.Single();
        Assert.Null(table.Properties["EstimatedRows"].Value);
        Assert.Equal(
            await Database.ScalarAsync<long>("SELECT pg_total_relation_size('fresh')"),
            (long)table.Properties["EstimatedSizeBytes"].Value
        );
        Assert.True((long)table.Properties["EstimatedSizeBytes"].Value > 500_000);

        var view = shell
            .Run(
                "Get-SchemaState -ConnectionString $url | ForEach-Object Tables | Where-Object Name -eq 'fresh' | "
                    + "Out-String -Width 120",
                Vars
            )
            .ThrowOnError()
            .Output.Single()
            .ToString()!;
        Assert.Contains("not analyzed", view, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_parameter_takes_wildcards_and_verbose_shows_sql_without_the_password()
    {
        var result = shell
            .Run(
                "Get-SchemaState -ConnectionString $url -Schema 'bill*' -Verbose | ForEach-Object Tables | "
                    + "ForEach-Object Name",
                Vars
            )
            .ThrowOnError();

        Assert.Equal([FixtureSchema.QuotedTable], result.Output.Select(o => o.ToString()));
        Assert.Contains(result.Verbose, v => v.Contains("FROM pg_constraint", StringComparison.Ordinal));
        Assert.Contains(result.Verbose, v => v.Contains("Connected to postgresql://", StringComparison.Ordinal));
        AssertNoSecret(result);
    }

    [Fact]
    public void Defaults_to_DATABASE_URL_and_without_it_fails_with_ConnectionStringMissing()
    {
        var previous = Environment.GetEnvironmentVariable("DATABASE_URL");
        try
        {
            Environment.SetEnvironmentVariable("DATABASE_URL", Database.Url);
            Assert.Single(shell.Run("Get-SchemaState").ThrowOnError().Output);

            Environment.SetEnvironmentVariable("DATABASE_URL", null);
            var error = shell.Run("Get-SchemaState").SingleError();
            Assert.Equal(
                "ConnectionStringMissing,DbRecovery.Commands.GetSchemaStateCommand",
                error.FullyQualifiedErrorId
            );
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains("DATABASE_URL", error.Exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DATABASE_URL", previous);
        }
    }

    [Fact]
    public void Credential_overrides_the_user_and_password_of_the_url()
    {
        var url = TestUrl.FromSettings(Database.Settings, password: WrongPassword);
        var result = shell.Run(
            "Get-SchemaState -ConnectionString $url -Credential $cred -Verbose",
            new Dictionary<string, object?>
            {
                ["url"] = url,
                ["cred"] = new PSCredential(
                    Database.Settings.Username!,
                    new System.Net.NetworkCredential(string.Empty, Database.Settings.Password).SecurePassword
                ),
            }
        );

        Assert.Single(result.ThrowOnError().Output);
        AssertNoSecret(result);
    }

    [Theory]
    [InlineData("password", "AuthenticationFailed", ErrorCategory.AuthenticationError)]
    [InlineData("database", "DatabaseNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("port", "ConnectionRefused", ErrorCategory.ConnectionError)]
    [InlineData("url", "ConnectionStringMalformed", ErrorCategory.InvalidArgument)]
    [InlineData("schema", "SchemaNotFound", ErrorCategory.ObjectNotFound)]
    public void Bad_input_gets_a_specific_error_id_and_never_shows_the_password(
        string wrong,
        string errorId,
        ErrorCategory category
    )
    {
        var settings = Database.Settings;
        var (url, extra) = wrong switch
        {
            "password" => (TestUrl.FromSettings(settings, password: WrongPassword), string.Empty),
            "database" => (TestUrl.FromSettings(settings, database: "no_such_database"), string.Empty),
            "port" => ($"postgresql://{settings.Username}:{WrongPassword}@127.0.0.1:1/{Database.Name}", string.Empty),
            "url" => (
                $"postgresql://{settings.Username}:{WrongPassword}@{settings.Host}:notaport/{Database.Name}",
                string.Empty
            ),
            _ => (Database.Url, " -Schema no_such_schema"),
        };

        var result = shell.Run(
            "Get-SchemaState -ConnectionString $url -Verbose" + extra,
            new Dictionary<string, object?> { ["url"] = url }
        );

        var error = result.SingleError();
        Assert.Equal($"{errorId},DbRecovery.Commands.GetSchemaStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Empty(result.Output);
        AssertNoSecret(result);
    }

    [Fact]
    public void Export_and_Import_round_trip_exactly_and_refuse_to_overwrite_without_Force()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dbr-{Guid.NewGuid():N}.json");
        var vars = new Dictionary<string, object?> { ["url"] = Database.Url, ["path"] = path };
        try
        {
            shell
                .Run("Get-SchemaState -ConnectionString $url | Export-SchemaState -Path $path -WhatIf", vars)
                .ThrowOnError();
            Assert.False(File.Exists(path));

            shell
                .Run(
                    "$script:original = Get-SchemaState -ConnectionString $url; $original | Export-SchemaState -Path "
                        + "$path",
                    vars
                )
                .ThrowOnError();
            var text = File.ReadAllText(path);
            Assert.DoesNotContain(Database.Settings.Password!, text, StringComparison.Ordinal);

            var same = shell
                .Run(
                    "$imported = Import-SchemaState -Path $path; $imported.Tables.Count -eq $original.Tables.Count; "
                        + "($imported | Export-SchemaState -Path ($path + '.2') -PassThru).Name",
                    vars
                )
                .ThrowOnError();
            Assert.Equal(true, same.Output[0].BaseObject);
            Assert.Equal(text, File.ReadAllText(path + ".2"));

            var exists = shell.Run("$original | Export-SchemaState -Path $path", vars).SingleError();
            Assert.Equal("SchemaFileExists,DbRecovery.Commands.ExportSchemaStateCommand", exists.FullyQualifiedErrorId);
            shell.Run("$original | Export-SchemaState -Path $path -Force", vars).ThrowOnError();

            var missing = shell.Run("Import-SchemaState -Path ($path + '.missing')", vars).SingleError();
            Assert.Equal(
                "SchemaFileNotFound,DbRecovery.Commands.ImportSchemaStateCommand",
                missing.FullyQualifiedErrorId
            );
            File.WriteAllText(path + ".bad", "{\"formatVersion\": 7}");
            var invalid = shell.Run("Import-SchemaState -Path ($path + '.bad')", vars).SingleError();
            Assert.Equal(
                "SchemaStateInvalid,DbRecovery.Commands.ImportSchemaStateCommand",
                invalid.FullyQualifiedErrorId
            );
            Assert.Equal(ErrorCategory.InvalidData, invalid.CategoryInfo.Category);
        }
        finally
        {
            foreach (var file in new[] { path, path + ".2", path + ".bad" })
            {
                File.Delete(file);
            }
        }
    }
}
