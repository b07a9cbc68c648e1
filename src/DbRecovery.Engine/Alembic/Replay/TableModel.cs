using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// A table as the replay knows it. Immutable: an operation makes a new one, so revisions that do not
/// touch a table share its model (and whatever was computed about it).
/// </summary>
internal sealed record TableModel(
    string Schema,
    string Name,
    IReadOnlyList<ColumnState> Columns,
    IReadOnlyList<string> PrimaryKey,
    string? PrimaryKeyName,
    IReadOnlyList<ForeignKeyState> ForeignKeys,
    IReadOnlyList<IndexState> Indexes,
    IReadOnlyList<ConstraintState> Uniques
)
{
    public ColumnState? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    public TableState ToTableState() =>
        new()
        {
            Schema = Schema,
            Name = Name,
            Columns = Columns,
            Constraints = (
                PrimaryKey.Count == 0
                    ? []
                    : new[]
                    {
                        new ConstraintState
                        {
                            Name = PrimaryKeyName ?? $"{Name}_pkey",
                            Type = ConstraintType.PrimaryKey,
                            Columns = PrimaryKey,
                            Definition = $"PRIMARY KEY ({string.Join(", ", PrimaryKey)})",
                            IsValidated = true,
                        },
                    }
            ).Concat(Uniques).ToList(),
            ForeignKeys = ForeignKeys,
            Indexes = Indexes,
        };
}
