using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>The tables a revision (or a set of heads) should have, keyed by schema and name.</summary>
internal sealed record ExpectedSchema(IReadOnlyList<string> Revisions, IReadOnlyDictionary<(string Schema, string Name), TableState> Tables, IReadOnlyList<EnumTypeState> Enums)
{
    /// <summary>The tables of a snapshot, Alembic's version table left out.</summary>
    public static ExpectedSchema From(IReadOnlyList<string> revisions, SchemaState state)
    {
        var versionTable = Sql.QualifiedName.Parse(state.VersionTable);
        return new(revisions, state.Tables.Where(t => t.Name != versionTable.Name).ToDictionary(t => (t.Schema, t.Name)), state.Enums);
    }

    public SchemaState ToState(string origin)
    {
        var tables = Tables.Values.OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        return new SchemaState
        {
            Database = origin,
            ServerVersion = string.Empty,
            Origin = origin,
            CapturedAt = DateTimeOffset.UtcNow,
            Schemas = tables.Select(t => t.Schema).Distinct().ToList(),
            Tables = tables,
            Enums = Enums.OrderBy(e => e.Schema, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal).ToList(),
            AlembicVersion = Revisions,
        };
    }
}
