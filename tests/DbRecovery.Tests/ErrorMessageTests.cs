using System.Management.Automation;
using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

/// <summary>
/// Failures an operator meets in the first minutes, each with its own ErrorId and category and a message that says what
/// to do.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class ErrorMessageTests(PowerShellSession shell) : IAsyncLifetime
{
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    public async Task InitializeAsync()
    {
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        await Database.ExecuteAsync(
            "CREATE SCHEMA billing; CREATE SCHEMA app; CREATE TABLE app.accounts (id uuid PRIMARY KEY)"
        );
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();

    private ErrorRecord Fails(
        string script,
        string errorId,
        ErrorCategory category,
        IDictionary<string, object?>? variables = null
    )
    {
        var result = shell.Run(script, variables ?? new Dictionary<string, object?> { ["url"] = Database.Url });
        var error = result.SingleError();
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.DoesNotContain(Database.Settings.Password!, result.AllText, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void No_password_for_a_server_that_asks_for_one_says_how_to_give_it()
    {
        var settings = Database.Settings;
        var saved = Environment.GetEnvironmentVariable("PGPASSWORD");
        try
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
            var error = Fails(
                "Get-SchemaState -ConnectionString $url",
                "PasswordRequired",
                ErrorCategory.AuthenticationError,
                new Dictionary<string, object?>
                {
                    ["url"] = $"postgresql://{settings.Username}@{settings.Host}:{settings.Port}/{Database.Name}",
                }
            );

            Assert.Equal(
                $"postgresql://{settings.Username}@{settings.Host}:{settings.Port}/{Database.Name} asks for a "
                    + "password and none was given. Pass -Credential (Get-Credential), put the password "
                    + "percent-encoded in the URL, or use PGPASSWORD or ~/.pgpass.",
                error.Exception.Message
            );
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", saved);
        }
    }

    [Theory]
    [InlineData("Find-AlembicRevision -Path $project -ConnectionString $url -Replay", "-Replay")]
    [InlineData("Get-RevisionSchema -Path $project -Revision head -Replay", "-Replay")]
    public void A_replay_without_a_scratch_database_asks_for_one(string script, string needer)
    {
        using var project = AlembicHistories.BranchAndMerge(new AlembicTestProject());
        var error = Fails(
            script,
            "ScratchConnectionStringMissing",
            ErrorCategory.InvalidArgument,
            new Dictionary<string, object?> { ["url"] = Database.Url, ["project"] = project.Root }
        );

        Assert.StartsWith(
            $"{needer} needs -ScratchConnectionString: an empty database DbRecovery may fill and empties again "
                + "afterwards",
            error.Exception.Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void A_database_without_a_version_table_says_so_instead_of_returning_nothing()
    {
        var error = Fails(
            "Get-AlembicVersion -ConnectionString $url",
            "VersionTableNotFound",
            ErrorCategory.ObjectNotFound
        );

        Assert.Contains(
            "has no version table 'alembic_version': it was never stamped, or Alembic keeps it elsewhere "
                + "(-VersionTable schema.table).",
            error.Exception.Message,
            StringComparison.Ordinal
        );
        Assert.Empty(
            shell
                .Run(
                    "Get-AlembicVersion -ConnectionString $url -ErrorAction SilentlyContinue",
                    new Dictionary<string, object?> { ["url"] = Database.Url }
                )
                .Output
        );
    }

    [Fact]
    public void Exporting_into_a_folder_that_does_not_exist_names_the_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"dbr-missing-{Guid.NewGuid():N}");
        var error = Fails(
            "Get-SchemaState -ConnectionString $url | Export-SchemaState -Path $path",
            "SchemaFolderNotFound",
            ErrorCategory.ObjectNotFound,
            new Dictionary<string, object?> { ["url"] = Database.Url, ["path"] = Path.Combine(folder, "schema.json") }
        );

        Assert.Equal(
            $"The folder '{folder}' does not exist. Create it (New-Item -ItemType Directory '{folder}') or choose "
                + "another -Path.",
            error.Exception.Message
        );
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void An_unknown_schema_lists_the_schemas_that_exist()
    {
        var error = Fails(
            "Get-SchemaState -ConnectionString $url -Schema nosuch",
            "SchemaNotFound",
            ErrorCategory.ObjectNotFound
        );

        Assert.Equal(
            $"The schema 'nosuch' does not exist in database '{Database.Name}'. Existing schemas: app, billing, public.",
            error.Exception.Message
        );
    }
}
