using System.Net;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using Npgsql;

namespace DbRecovery.Engine.Tests.Connections;

public sealed class ConnectionTargetTests
{
    private const string Secret = "Ex4mple-S3cret";

    [Theory]
    [InlineData(
        "postgresql://app:Ex4mple-S3cret@db.example.test:6543/orders",
        "db.example.test",
        6543,
        "orders",
        "app",
        Secret
    )]
    [InlineData(
        "postgres://app:Ex4mple-S3cret@db.example.test/orders",
        "db.example.test",
        5432,
        "orders",
        "app",
        Secret
    )]
    [InlineData("postgresql://app:p%40ss%2Fw%3Ford@localhost/db", "localhost", 5432, "db", "app", "p@ss/w?ord")]
    [InlineData("postgresql://app:p@ss@localhost/db", "localhost", 5432, "db", "app", "p@ss")]
    [InlineData("postgresql://%C3%A9mile@[::1]:5433/caf%C3%A9", "::1", 5433, "café", "émile", null)]
    [InlineData("postgresql:///db?host=/var/run/postgresql&user=ops", "/var/run/postgresql", 5432, "db", "ops", null)]
    [InlineData("Host=h1;Port=5440;Database=d;Username=u;Password=Ex4mple-S3cret", "h1", 5440, "d", "u", Secret)]
    public void Parses_urls_and_key_value_strings(
        string text,
        string host,
        int port,
        string database,
        string user,
        string? password
    )
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

    /// <summary>
    /// The URI examples of libpq's documentation (PostgreSQL 15, 34.1.1.2), then the forms libpq also accepts that a
    /// stricter parser refuses: an empty host with a port and the socket directory in the query, an empty port.
    /// Empty host and database mean the defaults (null here).
    /// </summary>
    [Theory]
    [InlineData("postgresql://", null, 5432, null, null)]
    [InlineData("postgresql://localhost", "localhost", 5432, null, null)]
    [InlineData("postgresql://localhost:5433", "localhost", 5433, null, null)]
    [InlineData("postgresql://localhost/mydb", "localhost", 5432, "mydb", null)]
    [InlineData("postgresql://user@localhost", "localhost", 5432, null, "user")]
    [InlineData("postgresql://user:secret@localhost", "localhost", 5432, null, "user")]
    [InlineData(
        "postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp",
        "localhost",
        5432,
        "otherdb",
        "other"
    )]
    [InlineData(
        "postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp",
        "host1:123,host2:456",
        5432,
        "somedb",
        null
    )]
    [InlineData("postgresql:///mydb?host=localhost&port=5433", "localhost", 5433, "mydb", null)]
    [InlineData("postgresql://[2001:db8::1234]/database", "2001:db8::1234", 5432, "database", null)]
    [InlineData("postgresql:///dbname?host=/var/lib/postgresql", "/var/lib/postgresql", 5432, "dbname", null)]
    [InlineData("postgresql://%2Fvar%2Flib%2Fpostgresql/dbname", "/var/lib/postgresql", 5432, "dbname", null)]
    [InlineData("postgres://:5433/db?host=/var/run/postgresql", "/var/run/postgresql", 5433, "db", null)]
    [InlineData("postgres://host:/", "host", 5432, null, null)]
    [InlineData("postgresql://u@/db?hostaddr=192.0.2.10", "192.0.2.10", 5432, "db", "u")]
    [InlineData("postgresql://u@192.0.2.10/db?hostaddr=192.0.2.10", "192.0.2.10", 5432, "db", "u")]
    public void Parses_the_uri_forms_libpq_documents(string url, string? host, int port, string? database, string? user)
    {
        var target = ConnectionTarget.Parse(url);
        var settings = target.Settings;

        Assert.StartsWith("postgresql://", target.DisplayName, StringComparison.Ordinal);
        Assert.Equal(host, settings.Host);
        Assert.Equal(port, settings.Port);
        Assert.Equal(database, settings.Database);
        Assert.Equal(user, settings.Username);
    }

    [Fact]
    public void Hostaddr_with_a_different_host_is_refused_saying_why()
    {
        var error = Assert.Throws<RecoveryException>(() =>
            ConnectionTarget.Parse("postgresql://u:Ex4mple-S3cret@db.example.test/d?hostaddr=192.0.2.10")
        );

        Assert.Equal("ConnectionStringMalformed", error.ErrorId);
        Assert.Equal(
            "The postgresql:// URL is malformed: hostaddr and a different host were both given; Npgsql connects to "
                + "one host name or address, so give only one of them.",
            error.Message
        );
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
        var target = ConnectionTarget.Parse(
            "postgresql://u@h/d?connect_timeout=7&target_session_attrs=read-write&application_name=other"
        );

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
    [InlineData("postgres://[]", "may not be empty")]
    [InlineData("postgresql://u:Ex4mple-S3cret@[]:5432/d", "may not be empty")]
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
