using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// The names of a database's tables, schemas, columns, roles and version tables, sorted, as a user types them.
/// </summary>
public static class CatalogNames
{
    private static readonly string UserSchema = CatalogQueries.UserSchema("n");

    /// <summary>
    /// Reads the names of <paramref name="kind"/> on <paramref name="target"/>, connecting with short timeouts (Tab
    /// completion must not hang).
    /// </summary>
    /// <param name="target">The database.</param>
    /// <param name="kind">Which names.</param>
    /// <param name="table">For <see cref="CatalogNameKind.Column"/>, the table (<c>name</c> or
    /// <c>schema.name</c>).</param>
    /// <param name="timeout">How long connecting and the query may take, each.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<IReadOnlyList<string>> ReadAsync(
        ConnectionTarget target,
        CatalogNameKind kind,
        string? table,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        await using var session = await DatabaseSession
            .OpenAsync(target.WithTimeouts(timeout), NullRecoveryLog.Instance, cancellationToken)
            .ConfigureAwait(false);
        return await ReadAsync(session, kind, table, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<IReadOnlyList<string>> ReadAsync(
        DatabaseSession session,
        CatalogNameKind kind,
        string? table,
        CancellationToken cancellationToken
    )
    {
        if (kind is CatalogNameKind.Column or CatalogNameKind.KeyColumn && string.IsNullOrEmpty(table))
        {
            return [];
        }

        const string tableName = "CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END";
        await using var command = session.CreateCommand(
            kind switch
            {
                // Tables of public also as public.name, for a user who types the schema.
                CatalogNameKind.Table => $"""
                SELECT name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                    LATERAL (VALUES ({tableName}), (CASE WHEN n.nspname = 'public' THEN 'public.' || c.relname END)) v
                        (name)
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {UserSchema} AND name IS NOT NULL ORDER BY 1
                """,
                CatalogNameKind.Schema => $"SELECT n.nspname FROM pg_namespace n WHERE {UserSchema} ORDER BY 1",
                CatalogNameKind.Column =>
                    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(@table) AND attnum > 0 AND NOT "
                        + "attisdropped ORDER BY attnum",
                CatalogNameKind.KeyColumn => """
                SELECT a.attname FROM pg_attribute a
                WHERE a.attrelid = to_regclass(@table) AND a.attnum > 0 AND NOT a.attisdropped
                  AND EXISTS (SELECT FROM pg_constraint k WHERE k.conrelid = a.attrelid AND k.contype IN ('p', 'u', 'f')
                              AND a.attnum = ANY (k.conkey))
                ORDER BY a.attnum
                """,
                CatalogNameKind.Role => "SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1",
                _ => $"SELECT {tableName} FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace "
                    + "n ON n.oid = c.relnamespace WHERE a.attname = 'version_num' AND c.relkind = 'r' AND "
                    + $"{UserSchema} ORDER BY 1",
            }
        );
        if (kind is CatalogNameKind.Column or CatalogNameKind.KeyColumn)
        {
            command.Parameters.AddWithValue("table", table!);
        }

        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
