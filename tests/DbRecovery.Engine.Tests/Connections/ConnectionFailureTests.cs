using System.Net;
using System.Net.Sockets;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Connections;

public sealed class ConnectionFailureTests : DatabaseTest
{
    private const string WrongPassword = "Wr0ng-Example-Pass";

    private async Task<RecoveryException> FailToOpen(string url)
    {
        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            DatabaseSession.OpenAsync(ConnectionTarget.Parse(url), Log, CancellationToken.None)
        );
        Assert.DoesNotContain(WrongPassword, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Database.Settings.Password!, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, Log.All, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public async Task Wrong_password_is_AuthenticationFailed()
    {
        var error = await FailToOpen(TestUrl.FromSettings(Database.Settings, password: WrongPassword));

        Assert.Equal("AuthenticationFailed", error.ErrorId);
        Assert.Equal(FailureKind.AuthenticationError, error.Kind);
        Assert.Equal("28P01", error.SqlState);
    }

    [Fact]
    public async Task Unknown_database_is_DatabaseNotFound()
    {
        var error = await FailToOpen(TestUrl.FromSettings(Database.Settings, database: "no_such_db"));

        Assert.Equal("DatabaseNotFound", error.ErrorId);
    }

    [Fact]
    public async Task Closed_port_is_ConnectionRefused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = await FailToOpen($"postgresql://u:{WrongPassword}@127.0.0.1:{port}/d");

        Assert.Equal("ConnectionRefused", error.ErrorId);
        Assert.Equal(FailureKind.ConnectionError, error.Kind);
    }

    [Fact]
    public async Task Unresolvable_host_is_HostNotFound()
    {
        var error = await FailToOpen($"postgresql://u:{WrongPassword}@no-such-host.invalid/d?connect_timeout=5");

        Assert.Equal("HostNotFound", error.ErrorId);
    }

    [Fact]
    public async Task Session_sets_application_name()
    {
        await using var session = await DatabaseSession.OpenAsync(
            ConnectionTarget.Parse(Database.Url),
            Log,
            CancellationToken.None
        );
        await using var command = session.CreateCommand("SELECT current_setting('application_name')");

        Assert.Equal("DbRecovery", await command.ExecuteScalarAsync());
    }
}
