using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// A key one revision creates with one type and a later revision references with another that PostgreSQL cannot
/// compare with it (the incident's uuid <c>users.id</c>, referenced later as <c>VARCHAR(36)</c>). Such a history
/// cannot build a database from empty; the recovery resolves the key (and what references it) to the type the later
/// reference needs, and every check judges the key by that type.
/// </summary>
public sealed record HistoryContradiction
{
    private static readonly HashSet<string> KeyTypes =
    [
        "uuid",
        "text",
        "character varying",
        "character",
        "smallint",
        "integer",
        "bigint",
    ];

    /// <summary>The schema of the key's table.</summary>
    public required string Schema { get; init; }

    /// <summary>The key's table.</summary>
    public required string Table { get; init; }

    /// <summary>The key column.</summary>
    public required string Column { get; init; }

    /// <summary>The type the key is created with.</summary>
    public required string CreatedType { get; init; }

    /// <summary>The revision that gives the key that type.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>The column that references the key with another type, as schema.table.column.</summary>
    public required string ReferencingColumn { get; init; }

    /// <summary>The referencing column's type: the key's type once resolved.</summary>
    public required string ReferencedAs { get; init; }

    /// <summary>The revision that adds the reference.</summary>
    public required string ReferencedBy { get; init; }

    /// <summary>The key as schema.table.column=type, the form of Test-RecoveryState -ExpectColumnType.</summary>
    public string Expectation => $"{new Catalog.ColumnReference(Schema, Table, Column)}={ReferencedAs}";

    /// <summary>
    /// The contradictions of <paramref name="replay"/>'s heads: foreign keys between key types (uuid, the string and
    /// integer types) that PostgreSQL refuses to compare.
    /// </summary>
    public static IReadOnlyList<HistoryContradiction> Find(StaticReplay replay)
    {
        ArgumentNullException.ThrowIfNull(replay);
        var history = replay.History;
        var head = replay.SchemaOf(history.Heads);
        var found = new List<HistoryContradiction>();
        foreach (var fk in head.ForeignKeys)
        {
            foreach (var (column, referenced) in fk.Columns.Zip(fk.ReferencedColumns))
            {
                var type = head.FindTable(fk.Schema, fk.Table)?.FindColumn(column)?.Type;
                var keyType = head.FindTable(fk.ReferencedSchema, fk.ReferencedTable)?.FindColumn(referenced)?.Type;
                if (
                    type is null
                    || keyType is null
                    || !KeyTypes.Contains(TypeCompatibility.BaseOf(type))
                    || !KeyTypes.Contains(TypeCompatibility.BaseOf(keyType))
                    || TypeCompatibility.CanReference(type, keyType)
                    || found.Any(f =>
                        (f.Schema, f.Table, f.Column) == (fk.ReferencedSchema, fk.ReferencedTable, referenced)
                    )
                )
                {
                    continue;
                }

                found.Add(
                    new HistoryContradiction
                    {
                        Schema = fk.ReferencedSchema,
                        Table = fk.ReferencedTable,
                        Column = referenced,
                        CreatedType = PostgresTypeName.Normalize(keyType),
                        CreatedBy = First(replay, s =>
                            s.FindTable(fk.ReferencedSchema, fk.ReferencedTable)?.FindColumn(referenced)?.Type
                            == keyType
                        ),
                        ReferencingColumn = $"{fk.Schema}.{fk.Table}.{column}",
                        ReferencedAs = PostgresTypeName.Normalize(type),
                        ReferencedBy = First(replay, s =>
                            s.ForeignKeys.Any(f => (f.Schema, f.Table, f.Name) == (fk.Schema, fk.Table, fk.Name))
                        ),
                    }
                );
            }
        }

        return found;
    }

    /// <inheritdoc />
    public override string ToString() =>
        "this history cannot build a database from empty: "
        + $"revision {CreatedBy} creates {Schema}.{Table}.{Column} {CreatedType}, "
        + $"revision {ReferencedBy} references it from {ReferencingColumn} as {ReferencedAs}; "
        + $"the recovery gives the key {ReferencedAs}, "
        + "the type the later reference needs";

    private static string First(StaticReplay replay, Func<SchemaState, bool> holds) =>
        replay.History.Revisions.Select(r => r.Revision).FirstOrDefault(r => holds(replay.SchemaOf(r))) ?? "(unknown)";
}
