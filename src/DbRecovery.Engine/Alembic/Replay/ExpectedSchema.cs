using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>The tables a revision (or a set of heads) should have, keyed by schema and name.</summary>
/// <param name="Revisions">The revision (or heads) it is the schema of.</param>
/// <param name="Tables">The tables, by schema and name.</param>
/// <param name="Enums">The enum types.</param>
/// <param name="Unknown">The tables whose shape the replay cannot know (they exist; they are not compared).</param>
internal sealed record ExpectedSchema(
    IReadOnlyList<string> Revisions,
    IReadOnlyDictionary<(string Schema, string Name), TableState> Tables,
    IReadOnlyList<EnumTypeState> Enums,
    IReadOnlyDictionary<(string Schema, string Name), UnknownParts>? Unknown = null
)
{
    /// <summary>The parts of the table the replay cannot know.</summary>
    public UnknownParts UnknownOf((string Schema, string Name) table) =>
        Unknown?.GetValueOrDefault(table) ?? UnknownParts.None;

    /// <summary>The tables of a snapshot, Alembic's version table left out.</summary>
    public static ExpectedSchema From(IReadOnlyList<string> revisions, SchemaState state)
    {
        var versionTable = Sql.QualifiedName.Parse(state.VersionTable);
        return new(
            revisions,
            state.Tables.Where(t => t.Name != versionTable.Name).ToDictionary(t => (t.Schema, t.Name)),
            state.Enums
        );
    }

    public SchemaState ToState(string origin)
    {
        var tables = Tables
            .Values.OrderBy(t => t.Schema, StringComparer.Ordinal)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        return new SchemaState
        {
            Database = origin,
            ServerVersion = string.Empty,
            Origin = origin,
            CapturedAt = DateTimeOffset.UtcNow,
            Schemas = tables.Select(t => t.Schema).Distinct().ToList(),
            Tables = tables,
            Enums = Enums
                .OrderBy(e => e.Schema, StringComparer.Ordinal)
                .ThenBy(e => e.Name, StringComparer.Ordinal)
                .ToList(),
            AlembicVersion = Revisions,
            Unknown = (Unknown ?? new Dictionary<(string, string), UnknownParts>())
                .Select(t => new UnknownTablePart
                {
                    Schema = t.Key.Item1,
                    Table = t.Key.Item2,
                    Parts = t.Value,
                })
                .OrderBy(t => t.Schema, StringComparer.Ordinal)
                .ThenBy(t => t.Table, StringComparer.Ordinal)
                .ToList(),
        };
    }
}
