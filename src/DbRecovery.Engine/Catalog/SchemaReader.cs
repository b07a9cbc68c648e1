using System.Data.Common;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;
using Npgsql;
using NpgsqlTypes;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// Reads a <see cref="SchemaState"/> from <c>pg_catalog</c> inside a read-only transaction.
/// Round trips are fixed: one batch of catalog queries, plus one read of the version table when it exists.
/// </summary>
public static class SchemaReader
{
    /// <summary>Round trips a snapshot costs inside its transaction, whatever the size of the schema.</summary>
    public const int RoundTrips = 2;

    /// <summary>Captures the schema visible in <paramref name="transaction"/>.</summary>
    /// <exception cref="RecoveryException">A plain schema name matched nothing (<c>SchemaNotFound</c>), or the server failed.</exception>
    public static async Task<SchemaState> ReadAsync(ReadOnlyTransaction transaction, SchemaReadOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(options);
        var session = transaction.Session;
        try
        {
            var state = await ReadCatalogAsync(session, options, cancellationToken).ConfigureAwait(false);
            foreach (var pattern in options.Schemas.Where(p => !p.HasWildcards))
            {
                if (!state.Schemas.Any(s => string.Equals(s, pattern.Text, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new RecoveryException(
                        "SchemaNotFound", FailureKind.ObjectNotFound,
                        $"The schema '{pattern.Text}' does not exist in database '{state.Database}'. Existing schemas: {string.Join(", ", state.Schemas)}.",
                        pattern.Text);
                }
            }

            return state;
        }
        catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
        {
            throw PostgresFailure.Translate(ex, session.Target.DisplayName);
        }
    }

    private static async Task<SchemaState> ReadCatalogAsync(DatabaseSession session, SchemaReadOptions options, CancellationToken cancellationToken)
    {
        var patterns = options.Schemas.Select(p => p.Regex).ToArray();
        var rows = new CatalogRows();
        await using (var batch = new NpgsqlBatch(session.Connection))
        {
            var header = new NpgsqlBatchCommand(CatalogQueries.Header);
            header.Parameters.AddWithValue("version_table", NpgsqlDbType.Text, QuoteVersionTable(options.VersionTable));
            batch.BatchCommands.Add(header);
            foreach (var (query, _) in rows.Queries)
            {
                var command = new NpgsqlBatchCommand(query);
                command.Parameters.AddWithValue("schemas", NpgsqlDbType.Array | NpgsqlDbType.Text, patterns);
                batch.BatchCommands.Add(command);
            }

            session.Log.Verbose($"Reading the catalog in one batch of {batch.BatchCommands.Count} queries:{Environment.NewLine}{string.Join(";" + Environment.NewLine, rows.Queries.Select(q => q.Query).Prepend(CatalogQueries.Header))}");
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            rows.ReadHeader(reader);
            foreach (var (_, read) in rows.Queries)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    read(reader);
                }
            }
        }

        var alembicVersion = rows.VersionTable is { } table
            ? await ReadVersionRowsAsync(session, table, cancellationToken).ConfigureAwait(false)
            : [];
        if (rows.VersionTable is null)
        {
            session.Log.Verbose($"The version table '{options.VersionTable}' does not exist; alembic_version is empty.");
        }

        return rows.ToState(options.VersionTable, alembicVersion);
    }

    private static async Task<IReadOnlyList<string>> ReadVersionRowsAsync(DatabaseSession session, (string Schema, string Name) table, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand($"SELECT version_num FROM {SqlIdentifier.Quote(table.Schema, table.Name)} ORDER BY 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(reader.GetString(0));
        }

        return versions;
    }

    private static string QuoteVersionTable(string versionTable)
    {
        var dot = versionTable.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? SqlIdentifier.Quote(versionTable) : SqlIdentifier.Quote(versionTable[..dot], versionTable[(dot + 1)..]);
    }
}
