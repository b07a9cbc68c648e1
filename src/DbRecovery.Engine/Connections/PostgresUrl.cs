using System.Globalization;
using System.Text;
using DbRecovery.Engine.Diagnostics;
using Npgsql;

namespace DbRecovery.Engine.Connections;

/// <summary>
/// Parses libpq connection URIs (<c>postgresql://user:password@host:port/db?sslmode=require</c>)
/// into Npgsql settings. Errors name the part that is wrong and never echo any part's value,
/// so a mistyped URL cannot leak its password.
/// </summary>
internal static class PostgresUrl
{
    private static readonly string[] Schemes = ["postgresql://", "postgres://"];

    public static bool LooksLikeUrl(string text) =>
        Schemes.Any(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase));

    public static NpgsqlConnectionStringBuilder Parse(string url)
    {
        var scheme = Schemes.First(s => url.StartsWith(s, StringComparison.OrdinalIgnoreCase));
        var rest = url[scheme.Length..];
        var builder = new NpgsqlConnectionStringBuilder();

        // The last '@' ends the user info, so an unencoded '@', '/' or '?' in a password stays in the password.
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            ParseUserInfo(rest[..at], builder);
            rest = rest[(at + 1)..];
        }

        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var query = queryStart >= 0 ? rest[(queryStart + 1)..] : string.Empty;
        rest = queryStart >= 0 ? rest[..queryStart] : rest;

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var hostPart = slash >= 0 ? rest[..slash] : rest;
        var database = slash >= 0 ? Decode(rest[(slash + 1)..], "database name") : string.Empty;
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        ParseHosts(hostPart, builder);
        ParseQuery(query, builder);
        return builder;
    }

    private static void ParseUserInfo(string userInfo, NpgsqlConnectionStringBuilder builder)
    {
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Decode(colon >= 0 ? userInfo[..colon] : userInfo, "user name");
        if (user.Length > 0)
        {
            builder.Username = user;
        }

        if (colon >= 0)
        {
            builder.Password = Decode(userInfo[(colon + 1)..], "password");
        }
    }

    private static void ParseHosts(string hostPart, NpgsqlConnectionStringBuilder builder)
    {
        if (hostPart.Length == 0)
        {
            return;
        }

        var entries = hostPart.Split(',').Select(SplitHostPort).ToList();
        if (entries is [{ Host.Length: 0 } only])
        {
            // libpq: an empty host is the default (the Unix socket, or ?host=); a port may still be given.
            if (only.Port is { } defaultHostPort)
            {
                builder.Port = defaultHostPort;
            }

            return;
        }

        if (entries.Any(e => e.Host.Length == 0))
        {
            throw Malformed("a host name is empty (check the commas between hosts)");
        }

        if (entries.Count == 1)
        {
            builder.Host = entries[0].Host;
            if (entries[0].Port is { } port)
            {
                builder.Port = port;
            }

            return;
        }

        // Npgsql takes several hosts as one comma-separated list, each with its own port.
        builder.Host = string.Join(
            ',',
            entries.Select(e => e.Port is { } p ? $"{e.Host}:{p.ToString(CultureInfo.InvariantCulture)}" : e.Host)
        );
    }

    private static (string Host, int? Port) SplitHostPort(string entry)
    {
        string host;
        string? portText = null;
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Malformed("an IPv6 host address is missing its closing ']'");
            }

            host = entry[1..close];
            if (host.Length == 0)
            {
                throw Malformed("an IPv6 host address may not be empty ('[]'), as libpq says");
            }

            var after = entry[(close + 1)..];
            if (after.Length > 0)
            {
                if (!after.StartsWith(':'))
                {
                    throw Malformed("unexpected text after an IPv6 host address");
                }

                portText = after[1..];
            }
        }
        else
        {
            var colon = entry.LastIndexOf(':');
            host = colon >= 0 ? entry[..colon] : entry;
            portText = colon >= 0 ? entry[(colon + 1)..] : null;
        }

        // libpq reads an empty port ("host:") as the default port.
        return (Decode(host, "host name"), string.IsNullOrEmpty(portText) ? null : ParsePort(portText));
    }

    private static int ParsePort(string text)
    {
        if (
            !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535
        )
        {
            throw Malformed("the port is not a number from 1 to 65535");
        }

        return port;
    }

    private static void ParseQuery(string query, NpgsqlConnectionStringBuilder builder)
    {
        string? hostAddress = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw Malformed("a query option is not of the form name=value");
            }

            var name = Decode(pair[..eq], "query option name");
            var value = Decode(pair[(eq + 1)..], $"value of query option '{name}'");
            if (name == "hostaddr")
            {
                hostAddress = value;
                continue;
            }

            ApplyOption(name, value, builder);
        }

        if (hostAddress is not null)
        {
            // libpq connects to hostaddr and keeps host for authentication and TLS checks; Npgsql has one host.
            builder.Host =
                string.IsNullOrEmpty(builder.Host) || builder.Host == hostAddress
                    ? hostAddress
                    : throw Malformed(
                        "hostaddr and a different host were both given; Npgsql connects to one host name or address, "
                            + "so give only one of them"
                    );
        }
    }

    private static void ApplyOption(string name, string value, NpgsqlConnectionStringBuilder builder)
    {
        switch (name)
        {
            case "sslmode":
                builder.SslMode = value switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw Malformed(
                        "sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full"
                    ),
                };
                break;
            case "host":
                builder.Host = value;
                break;
            case "port":
                builder.Port = ParsePort(value);
                break;
            case "dbname":
                builder.Database = value;
                break;
            case "user":
                builder.Username = value;
                break;
            case "password":
                builder.Password = value;
                break;
            case "connect_timeout":
                builder.Timeout = ParseSeconds(value, name);
                break;
            case "sslrootcert":
                builder.RootCertificate = value;
                break;
            case "sslcert":
                builder.SslCertificate = value;
                break;
            case "sslkey":
                builder.SslKey = value;
                break;
            case "options":
                builder.Options = value;
                break;
            case "target_session_attrs":
                builder.TargetSessionAttributes = value;
                break;
            case "keepalives_idle":
                builder.TcpKeepAliveTime = ParseSeconds(value, name);
                break;
            case "application_name":
                // DbRecovery always names its sessions so they are easy to find in pg_stat_activity.
                break;
            default:
                throw Malformed(
                    $"the query option '{name}' is not supported (supported: sslmode, host, hostaddr, port, dbname, "
                        + "user, password, connect_timeout, sslrootcert, sslcert, sslkey, options, "
                        + "target_session_attrs, keepalives_idle, application_name)"
                );
        }
    }

    private static int ParseSeconds(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : throw Malformed($"the query option '{name}' must be a whole number of seconds");

    private static string Decode(string text, string part)
    {
        var bytes = new List<byte>(text.Length);
        var literalStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                continue;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(text[literalStart..i]));
            if (
                i + 2 >= text.Length
                || !byte.TryParse(
                    text.AsSpan(i + 1, 2),
                    NumberStyles.AllowHexSpecifier,
                    CultureInfo.InvariantCulture,
                    out var b
                )
            )
            {
                throw Malformed(
                    $"the {part} has an invalid percent-encoding (a '%' must be followed by two hex digits; write "
                        + "'%25' for a literal '%')"
                );
            }

            bytes.Add(b);
            i += 2;
            literalStart = i + 1;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(text[literalStart..]));
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw Malformed($"the {part} does not decode to valid UTF-8 text");
        }
    }

    private static RecoveryException Malformed(string detail) =>
        new("ConnectionStringMalformed", FailureKind.InvalidArgument, $"The postgresql:// URL is malformed: {detail}.");
}
