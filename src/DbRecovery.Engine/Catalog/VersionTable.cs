using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// Alembic's version table as the catalog sees it. Named unqualified (<c>alembic_version</c>), it is found
/// through <c>search_path</c>, as Alembic finds it; <c>schema.table</c> names one exactly.
/// </summary>
public static class VersionTable
{
    /// <summary>The table Alembic uses unless configured otherwise.</summary>
    public static QualifiedName Default { get; } = new(null, "alembic_version");

    /// <summary>The table's schema-qualified name when it exists, else null.</summary>
    internal static async Task<QualifiedName?> LocateAsync(
        DatabaseSession session,
        QualifiedName table,
        CancellationToken cancellationToken
    )
    {
        await using var command = session.CreateCommand(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = "
                + "to_regclass(@name)"
        );
        command.Parameters.AddWithValue("name", table.Quoted);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new QualifiedName(reader.GetString(0), reader.GetString(1))
            : null;
    }

    /// <summary>The rows of the located table, sorted.</summary>
    internal static async Task<IReadOnlyList<string>> ReadRowsAsync(
        DatabaseSession session,
        QualifiedName located,
        CancellationToken cancellationToken
    )
    {
        await using var command = session.CreateCommand($"SELECT version_num FROM {located.Quoted} ORDER BY 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(reader.GetString(0));
        }

        return versions;
    }
}
