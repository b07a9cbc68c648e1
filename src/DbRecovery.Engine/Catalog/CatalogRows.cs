using System.Data.Common;

namespace DbRecovery.Engine.Catalog;

/// <summary>Collects the rows of the catalog batch and assembles them into a <see cref="SchemaState"/>.</summary>
internal sealed class CatalogRows
{
    private readonly List<string> _schemas = [];
    private readonly List<TableState> _tables = [];
    private readonly Dictionary<(string, string), List<ColumnState>> _columns = [];
    private readonly Dictionary<(string, string), List<(ConstraintState Constraint, short[] Keys)>> _constraints = [];
    private readonly Dictionary<(string, string), List<(ForeignKeyState ForeignKey, short[] Keys)>> _foreignKeys = [];
    private readonly Dictionary<(string, string), List<(IndexState Index, short[] Keys)>> _indexes = [];
    private readonly Dictionary<(string, string), List<TriggerState>> _triggers = [];
    private readonly Dictionary<(string, string), List<PolicyState>> _policies = [];
    private readonly List<ViewState> _views = [];
    private readonly Dictionary<(string, string), List<ColumnReference>> _viewDependencies = [];
    private readonly List<SequenceState> _sequences = [];
    private readonly List<EnumTypeState> _enums = [];
    private string _database = string.Empty;
    private string _serverVersion = string.Empty;
    private int _serverVersionNumber;
    private bool _isStandby;

    public CatalogRows()
    {
        // The split balances the server's work between the two connections of a parallel read.
        Queries =
        [
            new(CatalogQueries.Header, ReadHeader, OnHelper: false),
            new(CatalogQueries.Schemas, r => _schemas.Add(r.GetString(0)), OnHelper: false),
            new(CatalogQueries.Tables, ReadTable, OnHelper: false),
            new(CatalogQueries.Columns, r => Add(_columns, r, ReadColumn(r)), OnHelper: false),
            new(CatalogQueries.Triggers, r => Add(_triggers, r, ReadTrigger(r)), OnHelper: false),
            new(CatalogQueries.Policies, r => Add(_policies, r, ReadPolicy(r)), OnHelper: false),
            new(CatalogQueries.Views, ReadView, OnHelper: false),
            new(
                CatalogQueries.ViewDependencies,
                r => Add(_viewDependencies, r, new ColumnReference(r.GetString(2), r.GetString(3), r.GetString(4))),
                OnHelper: false
            ),
            new(CatalogQueries.Sequences, ReadSequence, OnHelper: false),
            new(
                CatalogQueries.Enums,
                r =>
                    _enums.Add(
                        new EnumTypeState
                        {
                            Schema = r.GetString(0),
                            Name = r.GetString(1),
                            Labels = r.GetFieldValue<string[]>(2),
                        }
                    ),
                OnHelper: false
            ),
            new(
                CatalogQueries.Constraints,
                r => Add(_constraints, r, (ReadConstraint(r), r.GetFieldValue<short[]>(4))),
                OnHelper: true
            ),
            new(
                CatalogQueries.ForeignKeys,
                r => Add(_foreignKeys, r, (ReadForeignKey(r), r.GetFieldValue<short[]>(3))),
                OnHelper: true
            ),
            new(
                CatalogQueries.Indexes,
                r => Add(_indexes, r, (ReadIndex(r), r.GetFieldValue<short[]>(8))),
                OnHelper: true
            ),
        ];
    }

    /// <summary>
    /// The catalog queries with the reader of their rows. Each writes only its own collection, so the
    /// helper connection's queries can be read on another thread.
    /// </summary>
    public IReadOnlyList<CatalogQuery> Queries { get; }

    /// <summary>The version table found by the header query, or null.</summary>
    public (string Schema, string Name)? VersionTable { get; private set; }

    private void ReadHeader(DbDataReader r)
    {
        _database = r.GetString(0);
        _serverVersion = r.GetString(1);
        _serverVersionNumber = r.GetInt32(2);
        _isStandby = r.GetBoolean(3);
        VersionTable = r.IsDBNull(4) ? null : (r.GetString(4), r.GetString(5));
    }

    public SchemaState ToState(string versionTable, IReadOnlyList<string> alembicVersion) =>
        new()
        {
            Database = _database,
            ServerVersion = _serverVersion,
            ServerVersionNumber = _serverVersionNumber,
            IsStandby = _isStandby,
            CapturedAt = DateTimeOffset.UtcNow,
            Schemas = _schemas,
            Tables = _tables.Select(Complete).ToList(),
            Views = _views.Select(v => v with { DependsOn = Get(_viewDependencies, v.Schema, v.Name) }).ToList(),
            Sequences = _sequences,
            Enums = _enums,
            VersionTable = versionTable,
            AlembicVersion = alembicVersion,
        };

    private TableState Complete(TableState table)
    {
        var columns = Get(_columns, table.Schema, table.Name);
        var names = columns.ToDictionary(c => (short)c.Ordinal, c => c.Name);
        string? Name(short attnum) => attnum == 0 ? null : names[attnum];
        return table with
        {
            Columns = columns,
            Constraints = Get(_constraints, table.Schema, table.Name)
                .Select(x => x.Constraint with { Columns = x.Keys.Select(k => Name(k)!).ToList() })
                .ToList(),
            ForeignKeys = Get(_foreignKeys, table.Schema, table.Name)
                .Select(x => x.ForeignKey with { Columns = x.Keys.Select(k => Name(k)!).ToList() })
                .ToList(),
            Indexes = Get(_indexes, table.Schema, table.Name)
                .Select(x => x.Index with { Columns = x.Keys.Select(Name).ToList() })
                .ToList(),
            Triggers = Get(_triggers, table.Schema, table.Name),
            Policies = Get(_policies, table.Schema, table.Name),
        };
    }

    private static void Add<T>(Dictionary<(string, string), List<T>> map, DbDataReader r, T item)
    {
        var key = (r.GetString(0), r.GetString(1));
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(item);
    }

    private static IReadOnlyList<T> Get<T>(Dictionary<(string, string), List<T>> map, string schema, string name) =>
        map.TryGetValue((schema, name), out var list) ? list : [];

    private static string? Text(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private void ReadTable(DbDataReader r)
    {
        var estimated = r.GetInt64(7);
        _tables.Add(
            new TableState
            {
                Schema = r.GetString(0),
                Name = r.GetString(1),
                Kind =
                    r.GetString(2) == "p" ? TableKind.Partitioned
                    : r.IsDBNull(3) ? TableKind.Ordinary
                    : TableKind.Partition,
                PartitionOf = r.IsDBNull(3) ? null : $"{r.GetString(3)}.{r.GetString(4)}",
                PartitionBound = Text(r, 5),
                PartitionKey = Text(r, 6),
                EstimatedRows = estimated < 0 ? null : estimated,
                EstimatedSizeBytes = r.GetInt64(8),
                RowLevelSecurity = r.GetBoolean(9),
                ForceRowLevelSecurity = r.GetBoolean(10),
            }
        );
    }

    private static ColumnState ReadColumn(DbDataReader r) =>
        new()
        {
            Name = r.GetString(2),
            Ordinal = r.GetInt16(3),
            Type = r.GetString(4),
            IsNullable = r.GetBoolean(5),
            Default = Text(r, 6),
            Identity = r.GetString(7) switch
            {
                "a" => ColumnIdentity.Always,
                "d" => ColumnIdentity.ByDefault,
                _ => ColumnIdentity.None,
            },
            GenerationExpression = Text(r, 8),
        };

    private static ConstraintState ReadConstraint(DbDataReader r) =>
        new()
        {
            Name = r.GetString(2),
            Type = r.GetString(3) switch
            {
                "p" => ConstraintType.PrimaryKey,
                "u" => ConstraintType.Unique,
                "c" => ConstraintType.Check,
                _ => ConstraintType.Exclusion,
            },
            Definition = r.GetString(5),
            IsDeferrable = r.GetBoolean(6),
            IsInitiallyDeferred = r.GetBoolean(7),
            IsValidated = r.GetBoolean(8),
        };

    private static ForeignKeyState ReadForeignKey(DbDataReader r) =>
        new()
        {
            Schema = r.GetString(0),
            Table = r.GetString(1),
            Name = r.GetString(2),
            ReferencedSchema = r.GetString(4),
            ReferencedTable = r.GetString(5),
            ReferencedColumns = r.GetFieldValue<string[]>(6),
            OnDelete = Action(r.GetString(7)),
            OnUpdate = Action(r.GetString(8)),
            Match = r.GetString(9) switch
            {
                "f" => ForeignKeyMatch.Full,
                "p" => ForeignKeyMatch.Partial,
                _ => ForeignKeyMatch.Simple,
            },
            IsDeferrable = r.GetBoolean(10),
            IsInitiallyDeferred = r.GetBoolean(11),
            IsValidated = r.GetBoolean(12),
            Definition = r.GetString(13),
        };

    private static ReferentialAction Action(string code) =>
        code switch
        {
            "r" => ReferentialAction.Restrict,
            "c" => ReferentialAction.Cascade,
            "n" => ReferentialAction.SetNull,
            "d" => ReferentialAction.SetDefault,
            _ => ReferentialAction.NoAction,
        };

    private static IndexState ReadIndex(DbDataReader r) =>
        new()
        {
            Name = r.GetString(2),
            Definition = r.GetString(3),
            IsUnique = r.GetBoolean(4),
            IsPrimary = r.GetBoolean(5),
            IsValid = r.GetBoolean(6),
            Method = r.GetString(7),
            Expressions = Text(r, 9),
            Predicate = Text(r, 10),
        };

    private static TriggerState ReadTrigger(DbDataReader r) =>
        new()
        {
            Name = r.GetString(2),
            Definition = r.GetString(3),
            Enabled = r.GetString(4) switch
            {
                "D" => "Disabled",
                "R" => "Replica",
                "A" => "Always",
                _ => "Origin",
            },
        };

    private static PolicyState ReadPolicy(DbDataReader r) =>
        new()
        {
            Name = r.GetString(2),
            Command = r.GetString(3) switch
            {
                "r" => "SELECT",
                "a" => "INSERT",
                "w" => "UPDATE",
                "d" => "DELETE",
                _ => "ALL",
            },
            IsPermissive = r.GetBoolean(4),
            Roles = r.GetFieldValue<string[]>(5),
            Using = Text(r, 6),
            WithCheck = Text(r, 7),
        };

    private void ReadView(DbDataReader r) =>
        _views.Add(
            new ViewState
            {
                Schema = r.GetString(0),
                Name = r.GetString(1),
                IsMaterialized = r.GetBoolean(2),
                Owner = r.GetString(3),
                Definition = r.GetString(4),
            }
        );

    private void ReadSequence(DbDataReader r) =>
        _sequences.Add(
            new SequenceState
            {
                Schema = r.GetString(0),
                Name = r.GetString(1),
                DataType = r.GetString(2),
                OwnedBy = r.IsDBNull(3) ? null : new ColumnReference(r.GetString(3), r.GetString(4), r.GetString(5)),
            }
        );
}
