using System.Diagnostics;
using System.Management.Automation;
using DbRecovery.TestSupport;
using Npgsql;
using Xunit.Abstractions;

namespace DbRecovery.Tests;

/// <summary>
/// Another session holds a lock on users (ACCESS EXCLUSIVE stops reading and planning; ROW EXCLUSIVE, an application
/// writing, stops only the conversion's own locks): every cmdlet that touches users gives up within its -LockTimeout
/// with LockTimeout naming the blocker, reports the wait as progress, and changes nothing.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class LockTimeoutCommandTests(PowerShellSession shell, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(2);
    private readonly AlembicTestProject _project = AlembicHistories.Incident(new AlembicTestProject());
    private readonly string _journal = Path.Combine(Path.GetTempPath(), $"dbr-journal-{Guid.NewGuid():N}.jsonl");
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    public async Task InitializeAsync()
    {
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        _project.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        _project.Dispose();
        File.Delete(_journal);
    }

    [Theory]
    [InlineData(
        "ACCESS EXCLUSIVE",
        "Get-SchemaState -ConnectionString $url -LockTimeout $timeout",
        "GetSchemaStateCommand"
    )]
    [InlineData(
        "ACCESS EXCLUSIVE",
        "Convert-IdColumns -ConnectionString $url -Table users, organizations -LockTimeout $timeout -JournalPath "
            + "$journal -Confirm:$false",
        "ConvertIdColumnsCommand"
    )]
    [InlineData(
        "ROW EXCLUSIVE",
        "Convert-IdColumns -ConnectionString $url -Table users, organizations -To uuid -LockTimeout $timeout "
            + "-JournalPath $journal -Confirm:$false",
        "ConvertIdColumnsCommand"
    )]
    [InlineData(
        "ACCESS EXCLUSIVE",
        "Set-AlembicVersion -Path $project -ConnectionString $url -Revision c3a7b4bbf913 -LockTimeout $timeout "
            + "-JournalPath $journal -Confirm:$false",
        "SetAlembicVersionCommand"
    )]
    [InlineData(
        "ACCESS EXCLUSIVE",
        "Test-RecoveryState -ConnectionString $url -Path $project -LockTimeout $timeout",
        "TestRecoveryStateCommand"
    )]
    public async Task A_lock_held_elsewhere_ends_in_LockTimeout_naming_the_blocker(
        string mode,
        string script,
        string command
    )
    {
        var before = await Database.ScalarAsync<string>(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass AND "
                + "attname = 'id'"
        );
        await using var blocker = await Database.OpenAsync();
        // Without a bound the cmdlet would wait as long as the lock is held: the server ends the blocker after 30 s, so
        // such a failure ends.
        await using (
            var begin = new NpgsqlCommand(
                $"SET idle_in_transaction_session_timeout = '30s'; BEGIN; LOCK TABLE users IN {mode} MODE",
                blocker
            )
        )
        {
            await begin.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        var result = await Task.Run(() =>
            shell.Run(
                script,
                new Dictionary<string, object?>
                {
                    ["url"] = Database.Url,
                    ["project"] = _project.Root,
                    ["journal"] = _journal,
                    ["timeout"] = LockTimeout,
                }
            )
        );
        watch.Stop();
        output.WriteLine(
            $"{command} with a {mode} lock held: gave up after {watch.Elapsed.TotalSeconds:F2} s (-LockTimeout "
                + $"{LockTimeout.TotalSeconds} s)"
        );

        var error = result.SingleError();
        Assert.Equal($"LockTimeout,DbRecovery.Commands.{command}", error.FullyQualifiedErrorId);
        Assert.Contains($"pid {blocker.ProcessID} (role ", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("public.users", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Gave up after waiting 2 s", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(result.Progress, p =>
            p.Activity == "Waiting for a lock on public.users"
            && p.StatusDescription.Contains($"held by pid {blocker.ProcessID}", StringComparison.Ordinal)
        );
        Assert.True(watch.Elapsed < LockTimeout + TimeSpan.FromSeconds(5), $"waited {watch.Elapsed}");
        Assert.DoesNotContain(Database.Settings.Password!, result.AllText, StringComparison.Ordinal);
        await using (var rollback = new NpgsqlCommand("ROLLBACK", blocker))
        {
            await rollback.ExecuteNonQueryAsync();
        }

        Assert.Equal(
            before,
            await Database.ScalarAsync<string>(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass AND "
                    + "attname = 'id'"
            )
        );
        Assert.Equal(
            AlembicHistories.IncidentTrueRevision,
            await Database.ScalarAsync<string>("SELECT version_num FROM alembic_version")
        );
    }

    [Fact]
    public async Task Ctrl_C_while_waiting_for_a_lock_stops_the_cmdlet_without_reporting_failures()
    {
        await using var blocker = await Database.OpenAsync();
        await using (
            var begin = new NpgsqlCommand(
                "SET idle_in_transaction_session_timeout = '30s'; BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE",
                blocker
            )
        )
        {
            await begin.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        var (objects, errors, ended) = await Task.Run(() =>
            shell.RunAndStop(
                "Test-RecoveryState -ConnectionString $url -LockTimeout 20",
                TimeSpan.FromSeconds(1.5),
                new Dictionary<string, object?> { ["url"] = Database.Url }
            )
        );

        Assert.IsType<PipelineStoppedException>(ended);
        Assert.Empty(objects);
        Assert.Empty(errors);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {watch.Elapsed}");
    }
}
