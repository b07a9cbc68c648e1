using System.Data.Common;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;
using Npgsql;
using NpgsqlTypes;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// Reads a <see cref="SchemaState"/> from <c>pg_catalog</c> inside a read-only transaction.
/// The number of round trips is fixed, whatever the size of the schema: the transaction exports its
/// snapshot, the catalog queries go in two batches run in parallel (the second on a helper connection
/// that imports the snapshot, so both see the same instant), and the version table is read when it exists.
/// </summary>
public static class SchemaReader
{
    /// <summary>Connects to <paramref name="target"/> and captures its schema in a read-only transaction.</summary>
    /// <exception cref="RecoveryException">The connection or the read failed.</exception>
    public static async Task<SchemaState> CaptureAsync(
        ConnectionTarget target,
        SchemaReadOptions options,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(transaction, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Captures the schema visible in <paramref name="transaction"/>.</summary>
    /// <exception cref="RecoveryException">A plain schema name matched nothing (<c>SchemaNotFound</c>), or the server
    /// failed.</exception>
    public static async Task<SchemaState> ReadAsync(
        ReadOnlyTransaction transaction,
        SchemaReadOptions options,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(options);
        var session = transaction.Session;
        try
        {
            var state = await ReadCatalogAsync(transaction, options, cancellationToken).ConfigureAwait(false);
            foreach (var pattern in options.Schemas.Where(p => !p.HasWildcards))
            {
                if (!state.Schemas.Any(s => string.Equals(s, pattern.Text, StringComparison.OrdinalIgnoreCase)))
                {
                    var existing = await CatalogNames
                        .ReadAsync(session, CatalogNameKind.Schema, null, cancellationToken)
                        .ConfigureAwait(false);
                    throw new RecoveryException(
                        "SchemaNotFound",
                        FailureKind.ObjectNotFound,
                        $"The schema '{pattern.Text}' does not exist in database '{state.Database}'. Existing "
                            + $"schemas: {string.Join(", ", existing)}.",
                        pattern.Text
                    );
                }
            }

            return state;
        }
        catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
        {
            throw session.Failure(ex);
        }
    }

    private static async Task<SchemaState> ReadCatalogAsync(
        ReadOnlyTransaction transaction,
        SchemaReadOptions options,
        CancellationToken cancellationToken
    )
    {
        var session = transaction.Session;
        var rows = new CatalogRows();
        var parameters = new CatalogParameters(
            options.Schemas.Select(p => p.Regex).ToArray(),
            QualifiedName.Parse(options.VersionTable).Quoted
        );
        var snapshot = await transaction.ExportSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var helperWork = ReadOnHelperAsync(
            session,
            snapshot,
            rows.Queries.Where(q => q.OnHelper).ToList(),
            parameters,
            cancellationToken
        );
        await RunBatchAsync(session, rows.Queries.Where(q => !q.OnHelper).ToList(), parameters, cancellationToken)
            .ConfigureAwait(false);
        if (!await helperWork.ConfigureAwait(false))
        {
            await RunBatchAsync(session, rows.Queries.Where(q => q.OnHelper).ToList(), parameters, cancellationToken)
                .ConfigureAwait(false);
        }

        var alembicVersion = rows.VersionTable is { } table
            ? await VersionTable
                .ReadRowsAsync(session, new QualifiedName(table.Schema, table.Name), cancellationToken)
                .ConfigureAwait(false)
            : [];
        if (rows.VersionTable is null)
        {
            session.Log.Verbose(
                $"The version table '{options.VersionTable}' does not exist; alembic_version is empty."
            );
        }

        return rows.ToState(options.VersionTable, alembicVersion);
    }

    /// <summary>
    /// Runs part of the catalog queries on a second connection that shares the transaction's snapshot,
    /// as <c>pg_dump -j</c> does. Returns false, having read nothing, when such a connection cannot be had
    /// (no free slot, a pooler in transaction mode); the caller then runs those queries itself.
    /// </summary>
    private static async Task<bool> ReadOnHelperAsync(
        DatabaseSession session,
        string snapshot,
        IReadOnlyList<CatalogQuery> queries,
        CatalogParameters parameters,
        CancellationToken cancellationToken
    )
    {
        DatabaseSession? helper = null;
        ReadOnlyTransaction? transaction = null;
        try
        {
            try
            {
                helper = await DatabaseSession
                    .OpenAsync(session.Target, session.Log, cancellationToken)
                    .ConfigureAwait(false);
                transaction = await helper.BeginReadOnlyAsync(cancellationToken, snapshot).ConfigureAwait(false);
            }
            catch (RecoveryException ex)
            {
                session.Log.Verbose(
                    "Reading the catalog on one connection: a second one sharing the snapshot could not be opened "
                        + $"({ex.Message})."
                );
                return false;
            }

            await RunBatchAsync(helper, queries, parameters, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            if (helper is not null)
            {
                await helper.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task RunBatchAsync(
        DatabaseSession session,
        IReadOnlyList<CatalogQuery> queries,
        CatalogParameters parameters,
        CancellationToken cancellationToken
    )
    {
        await using var batch = new NpgsqlBatch(session.Connection);
        foreach (var query in queries)
        {
            var command = new NpgsqlBatchCommand(query.Sql);
            if (ReferenceEquals(query.Sql, CatalogQueries.Header))
            {
                command.Parameters.AddWithValue("version_table", NpgsqlDbType.Text, parameters.VersionTable);
            }
            else
            {
                command.Parameters.AddWithValue(
                    "schemas",
                    NpgsqlDbType.Array | NpgsqlDbType.Text,
                    parameters.SchemaPatterns
                );
            }

            batch.BatchCommands.Add(command);
        }

        session.Log.Verbose(
            $"Reading the catalog in one batch of {queries.Count} "
                + $"queries:{Environment.NewLine}{string.Join(";" + Environment.NewLine, queries.Select(q => q.Sql))}"
        );
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        foreach (var query in queries)
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                query.Read(reader);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record CatalogParameters(string[] SchemaPatterns, string VersionTable);
}
