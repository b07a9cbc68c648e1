using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Catalog;

/// <summary>Which tables hold rows, asked of the tables themselves rather than of the planner's estimates.</summary>
public static class TableRows
{
    /// <summary>The tables of <paramref name="tables"/> that exist and hold at least one row, read in a read-only transaction.</summary>
    public static async Task<IReadOnlySet<QualifiedName>> NonEmptyAsync(ConnectionTarget target, IReadOnlyList<QualifiedName> tables, IRecoveryLog log, CancellationToken cancellationToken)
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
}
