using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Catalog;

/// <summary>Which tables hold rows, asked of the tables themselves rather than of the planner's estimates.</summary>
public static class TableRows
{
    /// <summary>
    /// The tables of <paramref name="tables"/> that exist and hold at least one row, read in a read-only transaction.
    /// </summary>
    public static async Task<IReadOnlySet<QualifiedName>> NonEmptyAsync(
        ConnectionTarget target,
        IReadOnlyList<QualifiedName> tables,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var result = new HashSet<QualifiedName>();
        if (tables.Count == 0)
        {
            return result;
        }

        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        foreach (var name in tables)
        {
            await using var exists = session.CreateCommand("SELECT to_regclass($1) IS NOT NULL");
            exists.Parameters.Add(new Npgsql.NpgsqlParameter { Value = name.Quoted });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                continue;
            }

            await using var any = session.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {name.Quoted})");
            if (await any.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                result.Add(name);
            }
        }

        return result;
    }

    /// <summary>
    /// Exact row counts of every table of <paramref name="schema"/> (schema.table → rows), read in a read-only
    /// transaction.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> CountAsync(
        ConnectionTarget target,
        SchemaState schema,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        return await CountAsync(session, schema, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Exact row counts of every table of <paramref name="schema"/>, in <paramref name="session"/>.</summary>
    internal static async Task<Dictionary<string, long>> CountAsync(
        DatabaseSession session,
        SchemaState schema,
        CancellationToken cancellationToken
    )
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in schema.Tables.Where(t => t.Kind != TableKind.Partitioned))
        {
            await using var command = session.CreateCommand(
                $"SELECT count(*) FROM ONLY {SqlIdentifier.Quote(table.Schema, table.Name)}"
            );
            counts[table.QualifiedName] = (long)
                (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        return counts;
    }
}
