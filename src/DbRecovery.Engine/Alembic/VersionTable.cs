using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Alembic's version table, named as the user gives it (<c>alembic_version</c> or <c>schema.table</c>).
/// Unqualified, it is found through <c>search_path</c>, as Alembic finds it.
/// </summary>
public sealed record VersionTable(string? Schema, string Name)
{
    /// <summary>The table Alembic uses unless configured otherwise.</summary>
    public static VersionTable Default { get; } = new(null, "alembic_version");

    /// <summary>The name as SQL, quoted.</summary>
    public string Quoted => Schema is null ? SqlIdentifier.Quote(Name) : SqlIdentifier.Quote(Schema, Name);

    /// <summary>Parses <c>table</c> or <c>schema.table</c>.</summary>
    public static VersionTable Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new VersionTable(null, text) : new VersionTable(text[..dot], text[(dot + 1)..]);
    }

    /// <inheritdoc />
    public override string ToString() => Schema is null ? Name : $"{Schema}.{Name}";

    /// <summary>The table's schema and name when it exists, else null.</summary>
    internal async Task<(string Schema, string Name)?> LocateAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(@name)");
        command.Parameters.AddWithValue("name", Quoted);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>The rows of the located table, sorted.</summary>
    internal static async Task<IReadOnlyList<string>> ReadRowsAsync(DatabaseSession session, (string Schema, string Name) table, CancellationToken cancellationToken)
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
}
