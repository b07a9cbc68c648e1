using Npgsql;

namespace DbRecovery.TestSupport;

/// <summary>
/// The one PostgreSQL server all tests share, found in this order: DBRECOVERY_TEST_DATABASE_URL;
/// Testcontainers when a Docker engine answers; a throwaway cluster from the local server binaries.
/// With none of them, every test that needs a database fails with <see cref="HowToProvide"/>.
/// </summary>
public sealed class PostgresServer
{
    public const string UrlVariable = "DBRECOVERY_TEST_DATABASE_URL";

    public const string HowToProvide =
        "No PostgreSQL server is available for the tests. Provide one of: "
        + "(1) set "
        + UrlVariable
        + " to a postgresql://user:password@host:port/database URL of a role that may CREATE DATABASE; "
        + "(2) run a Docker engine, so Testcontainers can start postgres:15; "
        + "(3) install the PostgreSQL server binaries (initdb, pg_ctl; Debian: apt-get install postgresql) on PATH "
        + "or under /usr/lib/postgresql/<version>/bin.";

    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(StartAsync);

    private PostgresServer(NpgsqlConnectionStringBuilder admin, string source, LocalCluster? cluster)
    {
        Admin = admin;
        Source = source;
        Cluster = cluster;
    }

    /// <summary>
    /// Connection settings of a role that may create databases (contains the password: never print it).
    /// </summary>
    public NpgsqlConnectionStringBuilder Admin { get; }

    /// <summary>Where the server came from, for diagnostics.</summary>
    public string Source { get; }

    /// <summary>The local cluster, when the tests started one (for server-side files such as the log).</summary>
    public LocalCluster? Cluster { get; }

    public static Task<PostgresServer> GetAsync() => SharedServer.Value;

    public Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.CreateAsync(this);

    private static async Task<PostgresServer> StartAsync()
    {
        var attempts = new List<string>();
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            return await Verified(TestUrl.ToSettings(url), UrlVariable, null).ConfigureAwait(false);
        }

        attempts.Add(UrlVariable + " is not set");
        if (DockerEndpointExists())
        {
            try
            {
                return await ContainerServer.StartAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                attempts.Add("Testcontainers failed: " + ex.GetType().Name + ": " + ex.Message);
            }
        }
        else
        {
            attempts.Add("no Docker engine endpoint (DOCKER_HOST or /var/run/docker.sock)");
        }

        try
        {
            var cluster = await LocalCluster.StartAsync().ConfigureAwait(false);
            return await Verified(cluster.AdminSettings, "local cluster " + cluster.DataDirectory, cluster)
                .ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            attempts.Add("local cluster failed: " + ex.Message);
        }

        throw new InvalidOperationException(HowToProvide + " Tried: " + string.Join("; ", attempts) + ".");
    }

    internal static async Task<PostgresServer> Verified(
        NpgsqlConnectionStringBuilder admin,
        string source,
        LocalCluster? cluster
    )
    {
        admin.Pooling = false;
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        return new PostgresServer(admin, source, cluster);
    }

    private static bool DockerEndpointExists() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")) || File.Exists("/var/run/docker.sock");
}
