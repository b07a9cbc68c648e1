using Npgsql;
using Testcontainers.PostgreSql;

namespace DbRecovery.TestSupport;

/// <summary>PostgreSQL in a container, when a Docker engine answers; Testcontainers removes it afterwards.</summary>
internal static class ContainerServer
{
    public static async Task<PostgresServer> StartAsync()
    {
        var container = new PostgreSqlBuilder("postgres:15").Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await container.StartAsync(timeout.Token).ConfigureAwait(false);
        return await PostgresServer
            .Verified(
                new NpgsqlConnectionStringBuilder(container.GetConnectionString()),
                "Testcontainers postgres:15",
                null
            )
            .ConfigureAwait(false);
    }
}
