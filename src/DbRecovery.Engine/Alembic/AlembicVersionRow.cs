using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Alembic;

/// <summary>One row of a database's Alembic version table.</summary>
/// <param name="Revision">The stamped revision.</param>
/// <param name="VersionTable">The table, as <c>schema.table</c>.</param>
/// <param name="Database">The database.</param>
public sealed record AlembicVersionRow(string Revision, string VersionTable, string Database)
{
    /// <summary>
    /// The revision and where it is stamped, e.g. <c>c3a7b4bbf913 (public.alembic_version in app)</c>.
    /// </summary>
    public override string ToString() => $"{Revision} ({VersionTable} in {Database})";

    /// <summary>
    /// Reads the rows of <paramref name="versionTable"/> in a read-only transaction; null when the table does not
    /// exist.
    /// </summary>
    public static async Task<IReadOnlyList<AlembicVersionRow>?> ReadAsync(
        Connections.ConnectionTarget target,
        QualifiedName versionTable,
        Diagnostics.IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(versionTable);
        await using var session = await Connections
            .DatabaseSession.OpenAsync(target, log, cancellationToken)
            .ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        if (
            await Catalog.VersionTable.LocateAsync(session, versionTable, cancellationToken).ConfigureAwait(false)
            is not { } table
        )
        {
            return null;
        }

        var rows = await Catalog.VersionTable.ReadRowsAsync(session, table, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new AlembicVersionRow(r, table.ToString(), target.Database)).ToList();
    }
}
