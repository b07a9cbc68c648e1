using Npgsql;

namespace DbRecovery.TestSupport;

/// <summary>Converts between test connection forms: postgresql:// URLs and Npgsql settings.</summary>
public static class TestUrl
{
    public static NpgsqlConnectionStringBuilder ToSettings(string url)
    {
        if (!url.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            return new NpgsqlConnectionStringBuilder(url);
        }

        var uri = new Uri(url);
        var userInfo = uri.UserInfo.Split(':', 2);
        return new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Username = Uri.UnescapeDataString(userInfo[0]),
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } db ? Uri.UnescapeDataString(db) : "postgres",
        };
    }

    public static string FromSettings(
        NpgsqlConnectionStringBuilder settings,
        string? database = null,
        string? password = null
    ) =>
        $"postgresql://{Uri.EscapeDataString(settings.Username ?? "postgres")}:{Uri.EscapeDataString(password ?? settings.Password ?? string.Empty)}"
        + $"@{settings.Host}:{settings.Port}/{Uri.EscapeDataString(database ?? settings.Database ?? "postgres")}";
}
