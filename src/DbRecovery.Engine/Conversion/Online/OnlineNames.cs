using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// The names of what an online conversion adds while it runs; all derived, so a rerun and -Abort find them again.
/// </summary>
internal static class OnlineNames
{
    /// <summary>The schema of the state tables and the sync functions, left out of every schema snapshot.</summary>
    public const string Schema = CatalogQueries.WorkSchema;

    /// <summary>
    /// Sorts after every ordinary trigger name, so the sync runs after the application's BEFORE triggers have set the
    /// row.
    /// </summary>
    public const string Trigger = ConversionCatalogReader.OnlineSyncTrigger;

    public static readonly string StateTable = SqlIdentifier.Quote(Schema, "online_conversion");

    public static readonly string BackfillTable = SqlIdentifier.Quote(Schema, "online_backfill");

    public static string Shadow(string column) => Suffixed(column, "__dbr_new");

    public static string Old(string column) => Suffixed(column, "__dbr_old");

    public static string ShadowIndex(string index) => Suffixed(index, "__dbr");

    public static string Check(string table) => Suffixed(table, "__dbr_check");

    public static string Function(uint tableOid) =>
        SqlIdentifier.Quote(Schema, string.Create(CultureInfo.InvariantCulture, $"sync_{tableOid}"));

    /// <summary>
    /// <paramref name="name"/> with <paramref name="suffix"/>, shortened with a hash of the whole name where it would
    /// pass PostgreSQL's 63 bytes.
    /// </summary>
    private static string Suffixed(string name, string suffix)
    {
        if (Encoding.UTF8.GetByteCount(name + suffix) <= 63)
        {
            return name + suffix;
        }

        var hash = System.Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8].ToLowerInvariant();
        var keep = name;
        while (Encoding.UTF8.GetByteCount(keep + "_" + hash + suffix) > 63)
        {
            keep = keep[..^1];
        }

        return keep + "_" + hash + suffix;
    }
}
