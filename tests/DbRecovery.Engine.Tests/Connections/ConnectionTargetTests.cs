using System.Net;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using Npgsql;

namespace DbRecovery.Engine.Tests.Connections;

public sealed class ConnectionTargetTests
{
    private const string Secret = "Ex4mple-S3cret";

    [Theory]
    [InlineData("postgresql://app:Ex4mple-S3cret@db.example.test:6543/orders", "db.example.test", 6543, "orders", "app", Secret)]
    [InlineData("postgres://app:Ex4mple-S3cret@db.example.test/orders", "db.example.test", 5432, "orders", "app", Secret)]
    [InlineData("postgresql://app:p%40ss%2Fw%3Ford@localhost/db", "localhost", 5432, "db", "app", "p@ss/w?ord")]
    [InlineData("postgresql://app:p@ss@localhost/db", "localhost", 5432, "db", "app", "p@ss")]
    [InlineData("postgresql://%C3%A9mile@[::1]:5433/caf%C3%A9", "::1", 5433, "café", "émile", null)]
    [InlineData("postgresql:///db?host=/var/run/postgresql&user=ops", "/var/run/postgresql", 5432, "db", "ops", null)]
    [InlineData("Host=h1;Port=5440;Database=d;Username=u;Password=Ex4mple-S3cret", "h1", 5440, "d", "u", Secret)]
    public void Parses_urls_and_key_value_strings(string text, string host, int port, string database, string user, string? password)
    {
        var target = ConnectionTarget.Parse(text);

        Assert.Equal(host, target.Settings.Host);
        Assert.Equal(port, target.Settings.Port);
        Assert.Equal(database, target.Database);
        Assert.Equal(user, target.Username);
        Assert.Equal(password, target.Password);
        Assert.Equal(ConnectionTarget.ApplicationName, target.Settings.ApplicationName);
        if (password is not null)
        {
            Assert.DoesNotContain(password, target.DisplayName, StringComparison.Ordinal);
            Assert.DoesNotContain(password, target.ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("sslmode=disable", SslMode.Disable)]
    [InlineData("sslmode=require", SslMode.Require)]
    [InlineData("sslmode=verify-full", SslMode.VerifyFull)]
    public void Maps_sslmode(string query, SslMode expected) =>
        Assert.Equal(expected, ConnectionTarget.Parse($"postgresql://u@h/d?{query}").Settings.SslMode);

    [Fact]
    public void Maps_other_query_options_and_ignores_a_foreign_application_name()
    {
        var target = ConnectionTarget.Parse("postgresql://u@h/d?connect_timeout=7&target_session_attrs=read-write&application_name=other");

        Assert.Equal(7, target.Settings.Timeout);
        Assert.Equal("read-write", target.Settings.TargetSessionAttributes);
        Assert.Equal("DbRecovery", target.Settings.ApplicationName);
    }

    [Fact]
    public void Keeps_several_hosts_with_their_ports()
    {
        var target = ConnectionTarget.Parse("postgresql://u@h1:5432,h2:5433/d");

        Assert.Equal("h1:5432,h2:5433", target.Settings.Host);
    }

    [Fact]
    public void Credential_overrides_user_and_password()
    {
        var target = ConnectionTarget.Parse("postgresql://old:oldpass@h/d", new NetworkCredential("ops", Secret));

        Assert.Equal("ops", target.Username);
        Assert.Equal(Secret, target.Password);
        Assert.Equal("postgresql://ops@h:5432/d", target.DisplayName);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Nothing_given_is_ConnectionStringMissing(string? text)
    {
        var error = Assert.Throws<RecoveryException>(() => ConnectionTarget.Parse(text));

        Assert.Equal("ConnectionStringMissing", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Theory]
    [InlineData("postgresql://u:Ex4mple-S3cret@h:99999/d", "port")]
    [InlineData("postgresql://u:Ex4mple-S3cret@h:abc/d", "port")]
    [InlineData("postgresql://u:Ex4mple-S3cret%zz@h/d", "password")]
    [InlineData("postgresql://u%4:Ex4mple-S3cret@h/d", "user name")]
    [InlineData("postgresql://u:Ex4mple-S3cret@h/d?sslmode=sometimes", "sslmode")]
    [InlineData("postgresql://u:Ex4mple-S3cret@h/d?frobnicate=1", "'frobnicate'")]
    [InlineData("postgresql://u:Ex4mple-S3cret@h/d?novalue", "name=value")]
    [InlineData("postgresql://u:Ex4mple-S3cret@[::1/d", "IPv6")]
    [InlineData("postgresql://u:Ex4mple-S3cret@h1,,h2/d", "host name is empty")]
    [InlineData("mysql://u:Ex4mple-S3cret@h/d", "postgresql://")]
    [InlineData("Host=h;Password=Ex4mple-S3cret;Frobnicate=yes", "'frobnicate'")]
    [InlineData("Host=h;Password=Ex4mple-S3cret;Port=notaport", "'port'")]
    [InlineData("Host=h;Password='Ex4mple-S3cret", "key=value")]
    public void Malformed_input_names_the_part_without_echoing_the_password(string text, string expectedPart)
    {
        var error = Assert.Throws<RecoveryException>(() => ConnectionTarget.Parse(text));

        Assert.Equal("ConnectionStringMalformed", error.ErrorId);
        Assert.Contains(expectedPart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }
}
