using Npgsql;

namespace DbRecovery.TestSupport;

/// <summary>A database of its own for one test, dropped when disposed.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>Attaches to an existing database of the server; it is dropped when disposed.</summary>
    public TestDatabase(PostgresServer server, string name)
    {
        Server = server;
        Name = name;
        Settings = new NpgsqlConnectionStringBuilder(server.Admin.ConnectionString)
        {
            Database = name,
            Pooling = false,
        };
    }

    public PostgresServer Server { get; }

    public string Name { get; }

    /// <summary>Settings of the admin role on this database (contain the password).</summary>
    public NpgsqlConnectionStringBuilder Settings { get; }

    public string ConnectionString => Settings.ConnectionString;

    /// <summary>The database as a postgresql:// URL with the admin password.</summary>
    public string Url => TestUrl.FromSettings(Settings);

    public static async Task<TestDatabase> CreateAsync(PostgresServer server)
    {
        var name = "dbr_" + Guid.NewGuid().ToString("N")[..16];
        await using var admin = new NpgsqlConnection(server.Admin.ConnectionString);
        await admin.OpenAsync().ConfigureAwait(false);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        return new TestDatabase(server, name);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        return connection;
    }

    public async Task ExecuteAsync(string sql, int timeoutSeconds = 30)
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = timeoutSeconds };
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    /// <summary>
    /// Polls until <paramref name="condition"/> (an SQL boolean) holds, for at most a minute; a table it names may not
    /// exist yet.
    /// </summary>
    public async Task WaitUntilAsync(string condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            try
            {
                if (await ScalarAsync<bool>($"SELECT {condition}").ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable) { }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited a minute in vain for {condition}.");
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await using var admin = new NpgsqlConnection(Server.Admin.ConnectionString);
        await admin.OpenAsync().ConfigureAwait(false);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
