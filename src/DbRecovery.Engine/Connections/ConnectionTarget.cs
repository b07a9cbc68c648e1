using System.Net;
using DbRecovery.Engine.Diagnostics;
using Npgsql;

namespace DbRecovery.Engine.Connections;

/// <summary>
/// A database to connect to, parsed from a <c>postgresql://</c> URL or an Npgsql key=value string,
/// with optional credentials that override the ones in the string. <see cref="ToString"/> and
/// <see cref="DisplayName"/> never contain the password.
/// </summary>
public sealed class ConnectionTarget
{
    /// <summary>The <c>application_name</c> every DbRecovery session sets.</summary>
    public const string ApplicationName = "DbRecovery";

    private readonly NpgsqlConnectionStringBuilder _settings;

    private ConnectionTarget(NpgsqlConnectionStringBuilder settings, TimeSpan? lockTimeout = null)
    {
        _settings = settings;
        LockTimeout = lockTimeout;
        _settings.ApplicationName = ApplicationName;
        _settings.Pooling = false;
        DisplayName = BuildDisplayName(settings);
    }

    /// <summary>Where this target points, as a URL without the password.</summary>
    public string DisplayName { get; }

    /// <summary>
    /// How long any statement of a session to this target waits for a lock (<c>lock_timeout</c>), or null for the
    /// server's setting.
    /// </summary>
    public TimeSpan? LockTimeout { get; }

    /// <summary>The database name (empty when the server's default applies).</summary>
    public string Database => _settings.Database ?? string.Empty;

    /// <summary>The user name, if one was given.</summary>
    public string? Username => _settings.Username;

    /// <summary>The password, if one was given; hosts use it only to scrub text they display.</summary>
    public string? Password => _settings.Password;

    internal NpgsqlConnectionStringBuilder Settings => _settings;

    /// <summary>Parses a connection string and applies an optional credential.</summary>
    /// <param name="connectionString">A <c>postgresql://</c>/<c>postgres://</c> URL or an Npgsql key=value
    /// string.</param>
    /// <param name="credential">User and password that replace those in the string, or null.</param>
    /// <exception cref="RecoveryException">The string is missing or malformed (ErrorIds <c>ConnectionStringMissing</c>,
    /// <c>ConnectionStringMalformed</c>).</exception>
    public static ConnectionTarget Parse(string? connectionString, NetworkCredential? credential = null)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new RecoveryException(
                "ConnectionStringMissing",
                FailureKind.InvalidArgument,
                "No database to connect to: pass -ConnectionString (a postgresql:// URL or an Npgsql key=value "
                    + "string) or set $env:DATABASE_URL."
            );
        }

        var text = connectionString.Trim();
        var settings = PostgresUrl.LooksLikeUrl(text) ? PostgresUrl.Parse(text) : ParseKeyValue(text);
        if (credential is not null)
        {
            if (!string.IsNullOrEmpty(credential.UserName))
            {
                settings.Username = credential.UserName;
            }

            settings.Password = credential.Password;
        }

        return new ConnectionTarget(settings);
    }

    /// <summary>Parses the scratch database that <paramref name="needer"/> (a switch or a cmdlet) needs.</summary>
    /// <exception cref="RecoveryException">None was given (<c>ScratchConnectionStringMissing</c>), or it is
    /// malformed.</exception>
    public static ConnectionTarget ParseScratch(string? connectionString, string needer) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? throw new RecoveryException(
                "ScratchConnectionStringMissing",
                FailureKind.InvalidArgument,
                $"{needer} needs -ScratchConnectionString: an empty database DbRecovery may fill and empties again "
                    + "afterwards (e.g. postgresql://ops@localhost/scratch). It is never the database being repaired."
            )
            : Parse(connectionString);

    /// <summary>
    /// The same target, giving up on connecting and on each statement after <paramref name="timeout"/>.
    /// </summary>
    internal ConnectionTarget WithTimeouts(TimeSpan timeout) =>
        new(
            new NpgsqlConnectionStringBuilder(_settings.ConnectionString)
            {
                Timeout = (int)Math.Ceiling(timeout.TotalSeconds),
                CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds),
            },
            LockTimeout
        );

    /// <summary>The same server and database with other credentials.</summary>
    public ConnectionTarget WithCredentials(string username, string password) =>
        new(
            new NpgsqlConnectionStringBuilder(_settings.ConnectionString) { Username = username, Password = password },
            LockTimeout
        );

    /// <summary>The same target whose sessions wait at most <paramref name="lockTimeout"/> for any lock.</summary>
    public ConnectionTarget WithLockTimeout(TimeSpan lockTimeout) =>
        new(new NpgsqlConnectionStringBuilder(_settings.ConnectionString), lockTimeout);

    /// <inheritdoc />
    public override string ToString() => DisplayName;

    /// <summary>
    /// The target as a libpq/SQLAlchemy URL, password included: for a child process (Alembic) that receives
    /// it through its environment, or for a user who receives it as a secret. Never display it.
    /// </summary>
    public string ToUrlWithPassword() => Url(includePassword: true, Database);

    /// <summary>
    /// The target as a URL without the password, for programs that take the password from PGPASSWORD.
    /// </summary>
    /// <param name="database">Another database on the same server, or null for this one.</param>
    public string ToUrlWithoutPassword(string? database = null) => Url(includePassword: false, database ?? Database);

    private string Url(bool includePassword, string database)
    {
        var credentials = string.IsNullOrEmpty(_settings.Username)
            ? string.Empty
            : Uri.EscapeDataString(_settings.Username)
                + (
                    !includePassword || string.IsNullOrEmpty(_settings.Password)
                        ? string.Empty
                        : ":" + Uri.EscapeDataString(_settings.Password)
                )
                + "@";
        var host = (_settings.Host ?? "localhost").Split(',')[0];
        var hostPart = host.StartsWith('/')
            ? string.Empty
            : (
                host.Contains(':', StringComparison.Ordinal) && !host.Contains('[', StringComparison.Ordinal)
                    ? $"[{host}]"
                    : host
            ) + $":{_settings.Port}";
        var query = new List<string>();
        if (host.StartsWith('/'))
        {
            query.Add("host=" + Uri.EscapeDataString(host));
        }

        if (_settings.SslMode != SslMode.Prefer)
        {
            query.Add(
                "sslmode="
                    + _settings.SslMode switch
                    {
                        SslMode.Disable => "disable",
                        SslMode.Allow => "allow",
                        SslMode.Require => "require",
                        SslMode.VerifyCA => "verify-ca",
                        _ => "verify-full",
                    }
            );
        }

        return $"postgresql://{credentials}{hostPart}/{Uri.EscapeDataString(database)}"
            + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query));
    }

    private static NpgsqlConnectionStringBuilder ParseKeyValue(string text)
    {
        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new RecoveryException(
                "ConnectionStringMalformed",
                FailureKind.InvalidArgument,
                "The connection string is malformed: a URL must start with postgresql:// or postgres://."
            );
        }

        var generic = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            generic.ConnectionString = text;
        }
        catch (ArgumentException)
        {
            throw new RecoveryException(
                "ConnectionStringMalformed",
                FailureKind.InvalidArgument,
                "The connection string is malformed: it is neither a postgresql:// URL nor a key=value string "
                    + "(Host=...;Database=...;Username=...)."
            );
        }

        var settings = new NpgsqlConnectionStringBuilder();
        foreach (string key in generic.Keys)
        {
            try
            {
                settings[key] = generic[key];
            }
            catch (Exception ex)
                when (ex
                        is ArgumentException
                            or FormatException
                            or InvalidCastException
                            or OverflowException
                            or NotSupportedException
                )
            {
                throw new RecoveryException(
                    "ConnectionStringMalformed",
                    FailureKind.InvalidArgument,
                    $"The connection string is malformed: the keyword '{key}' is unknown to Npgsql or its value is "
                        + "not valid."
                );
            }
        }

        return settings;
    }

    private static string BuildDisplayName(NpgsqlConnectionStringBuilder settings)
    {
        var user = string.IsNullOrEmpty(settings.Username)
            ? string.Empty
            : Uri.EscapeDataString(settings.Username) + "@";
        var host = string.IsNullOrEmpty(settings.Host) ? "localhost" : settings.Host;
        var hostPort =
            host.Contains(',', StringComparison.Ordinal) || host.StartsWith('/') ? host : $"{host}:{settings.Port}";
        return $"postgresql://{user}{hostPort}/{Uri.EscapeDataString(settings.Database ?? string.Empty)}";
    }
}
