using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// The schema a static replay builds: tables keyed by (schema, name) and enum types. <see cref="Apply"/>
/// performs one operation as Alembic and PostgreSQL would, naming what the migration leaves unnamed
/// the way the project's naming convention or PostgreSQL does.
/// </summary>
internal sealed class SchemaModel
{
    private readonly Dictionary<(string Schema, string Name), TableModel> _tables;
    private readonly Dictionary<(string Schema, string Name), IReadOnlyList<string>> _enums;
    private readonly ObjectNaming _naming;
    private bool _inSql;

    /// <summary>Tables changed by operations the replay cannot apply for certain.</summary>
    private Dictionary<(string Schema, string Name), UnknownParts> _unknown = [];

    /// <summary>
    /// How many tables of each schema use each index or foreign key name, for PostgreSQL's numbering of chosen names.
    /// </summary>
    private Dictionary<(string Schema, string Name), int> _names = [];

    public SchemaModel(string defaultSchema, ObjectNaming naming)
        : this(defaultSchema, naming, [], []) { }

    private SchemaModel(
        string defaultSchema,
        ObjectNaming naming,
        Dictionary<(string, string), TableModel> tables,
        Dictionary<(string, string), IReadOnlyList<string>> enums
    )
    {
        DefaultSchema = defaultSchema;
        _naming = naming;
        _tables = tables;
        _enums = enums;
    }

    public string DefaultSchema { get; }

    public IReadOnlyCollection<TableModel> Tables => _tables.Values;

    /// <summary>The tables whose shape the replay cannot know (see <see cref="OpaqueOperation.Changes"/>).</summary>
    public IReadOnlyDictionary<(string Schema, string Name), UnknownParts> Unknown => _unknown;

    public IEnumerable<EnumTypeState> Enums =>
        _enums.Select(e => new EnumTypeState
        {
            Schema = e.Key.Schema,
            Name = e.Key.Name,
            Labels = e.Value,
        });

    /// <summary>
    /// A model of a live schema (Alembic's version table left out), for replaying the revisions still to run over it.
    /// </summary>
    public static SchemaModel From(SchemaState state, string defaultSchema, ObjectNaming naming)
    {
        var model = new SchemaModel(defaultSchema, naming);
        foreach (var table in ExpectedSchema.From([], state).Tables.Values)
        {
            model.Put(
                (table.Schema, table.Name),
                new TableModel(
                    table.Schema,
                    table.Name,
                    table.Columns,
                    table.PrimaryKey?.Columns ?? [],
                    table.PrimaryKey?.Name,
                    table.ForeignKeys,
                    table.Indexes,
                    table.Constraints.Where(c => c.Type == ConstraintType.Unique).ToList()
                )
            );
        }

        foreach (var type in state.Enums)
        {
            model._enums[(type.Schema, type.Name)] = type.Labels;
        }

        return model;
    }

    public TableModel? Find(string schema, string name) => _tables.GetValueOrDefault((schema, name));

    public bool HasEnum(string schema, string name) => _enums.ContainsKey((schema, name));

    /// <summary>Whether an index (or the index of a key) of that name exists in the schema.</summary>
    public bool HasIndex(string schema, string name) =>
        _names.ContainsKey((schema, name))
        && _tables.Values.Any(t => t.Schema == schema && t.Indexes.Any(i => i.Name == name));

    /// <summary>
    /// Whether <paramref name="guarded"/>'s guard lets it run: its object (a table, type, key, index or column of its
    /// table) exists as it requires.
    /// </summary>
    public bool Lets(GuardedOperation guarded)
    {
        ArgumentNullException.ThrowIfNull(guarded);
        var schema = guarded.Schema ?? DefaultSchema;
        var name = guarded.Name;
        var tables = _tables.Values.Where(t => t.Schema == schema).ToList();
        var exists = guarded.Among switch
        {
            "unique" => tables.Any(t => t.Uniques.Any(u => u.Name == name)),
            "foreignkey" => tables.Any(t => t.ForeignKeys.Any(f => f.Name == name)),
            "index" => tables.Any(t => t.Indexes.Any(i => i.Name == name)),
            "column" => guarded.Table is not null && Find(schema, guarded.Table)?.Column(name) is not null,
            "table" => _tables.ContainsKey((schema, name)),
            _ => _tables.ContainsKey((schema, name))
                || _enums.ContainsKey((schema, name))
                || _names.ContainsKey((schema, name))
                || (guarded.Table is not null && Find(schema, guarded.Table)?.Column(name) is not null),
        };
        return exists == guarded.MustExist;
    }

    public SchemaModel Clone() =>
        new(DefaultSchema, _naming, new(_tables), new(_enums)) { _names = new(_names), _unknown = new(_unknown) };

    /// <summary>
    /// Sets (or, with null, removes) a table, keeping the schema-wide count of index and constraint names current.
    /// </summary>
    private void Put((string Schema, string Name) key, TableModel? table)
    {
        if (_tables.TryGetValue(key, out var old))
        {
            foreach (var name in NamesOf(old))
            {
                if (--_names[(key.Schema, name)] == 0)
                {
                    _names.Remove((key.Schema, name));
                }
            }

            _tables.Remove(key);
        }

        if (table is not null)
        {
            foreach (var name in NamesOf(table))
            {
                _names[(key.Schema, name)] = _names.GetValueOrDefault((key.Schema, name)) + 1;
            }

            _tables[key] = table;
        }
    }

    private static IEnumerable<string> NamesOf(TableModel table) =>
        table.Indexes.Select(i => i.Name).Concat(table.ForeignKeys.Select(f => f.Name));

    /// <summary>Applies one operation; returns a note when it could not be applied.</summary>
    public string? Apply(MigrationOperation operation)
    {
        var schema = operation.Schema ?? DefaultSchema;
        switch (operation)
        {
            case ExecuteOperation execute:
                // SQL goes to PostgreSQL as written: no naming convention names what it leaves unnamed.
                _inSql = true;
                try
                {
                    return execute.Recognized.Select(Apply).ToList().FirstOrDefault(n => n is not null);
                }
                finally
                {
                    _inSql = false;
                }

            case OpaqueOperation { Possible: CreateTableOperation { Table: { } created } create }
                when !_tables.ContainsKey((schema, created)):
                // A table created only if a condition holds: it is there, but whether it exists is unknown.
                Apply(create);
                _unknown[(schema, created)] = UnknownParts.All | UnknownParts.Existence;
                return null;
            case OpaqueOperation opaque:
                IEnumerable<(string, string)> touched =
                    opaque.Changes == UnknownParts.None ? []
                    : opaque.Table is { } named ? [(schema, named)]
                    : _tables.Keys;
                foreach (var key in touched.ToList())
                {
                    _unknown[key] = _unknown.GetValueOrDefault(key) | opaque.Changes;
                }

                return null;
            case GuardedOperation guarded:
                return Lets(guarded) ? Apply(guarded.Inner) : null;
            case CreateEnumOperation create:
                _enums[(create.Enum.Schema ?? schema, create.Enum.Name)] = create.Enum.Labels;
                return null;
            case AlterEnumOperation alter:
                return AlterEnum(schema, alter);
            case RenameEnumOperation rename:
                return RenameEnum(schema, rename);
            case DropEnumOperation drop:
                return _enums.Remove((schema, drop.Name)) ? null : $"type {drop.Name} does not exist";
            case { Table: null } when operation is not DropIndexOperation:
                return "the table's name is computed at run time; the replay cannot know which table this changes";
            case CreateTableOperation create:
                CreateEnums(schema, create.Columns);
                Put((schema, create.Table!), Create(schema, create));
                return null;
            case DropIndexOperation dropIndex when operation.Table is null:
                var owner = _tables.Values.FirstOrDefault(t =>
                    t.Schema == schema && t.Indexes.Any(i => i.Name == dropIndex.Name)
                );
                return owner is null
                    ? $"index {dropIndex.Name} does not exist"
                    : Apply(dropIndex with { Table = owner.Name });
        }

        if (!_tables.TryGetValue((schema, operation.Table!), out var table))
        {
            return $"{operation.Kind} on {schema}.{operation.Table}, which does not exist at this point";
        }

        switch (operation)
        {
            case DropTableOperation:
                Put((schema, table.Name), null);
                _unknown.Remove((schema, table.Name));
                return null;
            case RenameTableOperation rename:
                if (_unknown.Remove((schema, table.Name), out var parts))
                {
                    _unknown[(schema, rename.NewName)] = parts;
                }

                Put((schema, table.Name), null);
                Put((schema, rename.NewName), table with { Name = rename.NewName });
                Retarget(schema, table.Name, fk => fk with { ReferencedTable = rename.NewName });
                return null;
            case AlterColumnOperation { NewName: { } newName } alter when table.Column(alter.Column) is not null:
                Retarget(schema, table.Name, fk =>
                    fk.ReferencedTable == table.Name
                        ? fk with
                        {
                            ReferencedColumns = fk
                                .ReferencedColumns.Select(c => c == alter.Column ? newName : c)
                                .ToList(),
                        }
                        : fk
                );
                table = _tables[(schema, table.Name)];
                break;
        }

        var (changed, note) = Change(table, operation);
        Put((schema, table.Name), changed);
        return note;
    }

    private (TableModel Table, string? Note) Change(TableModel table, MigrationOperation operation)
    {
        switch (operation)
        {
            case AddColumnOperation add:
                CreateEnums(table.Schema, [add.Column]);
                var column = Resolve(add.Column);
                var added = table with
                {
                    Columns =
                    [
                        .. table.Columns,
                        new ColumnState
                        {
                            Name = column.Name,
                            Ordinal = table.Columns.Count == 0 ? 1 : table.Columns.Max(c => c.Ordinal) + 1,
                            Type = column.Type,
                            IsNullable = column.Nullable,
                        },
                    ],
                };
                return (ColumnConstraints(added, column), null);
            case DropColumnOperation drop:
                return (
                    table with
                    {
                        Columns = table.Columns.Where(c => c.Name != drop.Column).ToList(),
                        PrimaryKey = table.PrimaryKey.Contains(drop.Column) ? [] : table.PrimaryKey,
                        ForeignKeys = table.ForeignKeys.Where(f => !f.Columns.Contains(drop.Column)).ToList(),
                        Indexes = table.Indexes.Where(i => !i.Columns.Contains(drop.Column)).ToList(),
                        Uniques = table.Uniques.Where(u => !u.Columns.Contains(drop.Column)).ToList(),
                    },
                    table.Column(drop.Column) is null ? $"column {drop.Column} of {table.Name} does not exist" : null
                );
            case AlterColumnOperation alter when table.Column(alter.Column) is not null:
                var newName = alter.NewName ?? alter.Column;
                string Rename(string c) => c == alter.Column ? newName : c;
                return (
                    table with
                    {
                        Columns = table
                            .Columns.Select(c =>
                                c.Name != alter.Column
                                    ? c
                                    : c with
                                    {
                                        Name = newName,
                                        Type = alter.NewType ?? c.Type,
                                        IsNullable = alter.Nullable ?? c.IsNullable,
                                    }
                            )
                            .ToList(),
                        PrimaryKey = table.PrimaryKey.Select(Rename).ToList(),
                        ForeignKeys = table
                            .ForeignKeys.Select(f => f with { Columns = f.Columns.Select(Rename).ToList() })
                            .ToList(),
                        Indexes = table
                            .Indexes.Select(i =>
                                i with
                                {
                                    Columns = i.Columns.Select(c => c is null ? null : Rename(c)).ToList(),
                                }
                            )
                            .ToList(),
                        Uniques = table
                            .Uniques.Select(u => u with { Columns = u.Columns.Select(Rename).ToList() })
                            .ToList(),
                    },
                    null
                );
            case CreateIndexOperation index:
                return (AddIndex(table, index.Index), null);
            case DropIndexOperation dropIndex:
                return (table with { Indexes = table.Indexes.Where(i => i.Name != dropIndex.Name).ToList() }, null);
            case CreateForeignKeyOperation foreignKey:
                return (AddForeignKey(table, foreignKey.ForeignKey), null);
            case CreateUniqueConstraintOperation unique:
                return (AddUnique(table, unique.Unique.Name, unique.Unique.Columns), null);
            case CreatePrimaryKeyOperation primaryKey:
                return (WithPrimaryKey(table, primaryKey.Columns, primaryKey.Name), null);
            case DropConstraintOperation constraint:
                var isPrimary = constraint.ConstraintType == "primary" || constraint.Name == table.PrimaryKeyName;
                return (
                    table with
                    {
                        ForeignKeys = table.ForeignKeys.Where(f => f.Name != constraint.Name).ToList(),
                        Uniques = table.Uniques.Where(u => u.Name != constraint.Name).ToList(),
                        Indexes = table
                            .Indexes.Where(i => i.Name != constraint.Name && !(isPrimary && i.IsPrimary))
                            .ToList(),
                        PrimaryKey = isPrimary ? [] : table.PrimaryKey,
                        PrimaryKeyName = isPrimary ? null : table.PrimaryKeyName,
                    },
                    null
                );
            default:
                return (table, $"{operation.Kind} on {table.Name} could not be applied");
        }
    }

    private TableModel Create(string schema, CreateTableOperation create)
    {
        var columns = create.Columns.Select(Resolve).ToList();
        var table = new TableModel(
            schema,
            create.Table!,
            columns
                .Select(
                    (c, i) =>
                        new ColumnState
                        {
                            Name = c.Name,
                            Ordinal = i + 1,
                            Type = c.Type,
                            IsNullable = c.Nullable && !create.PrimaryKey.Contains(c.Name),
                        }
                )
                .ToList(),
            [],
            null,
            [],
            [],
            []
        );
        if (create.PrimaryKey.Count > 0)
        {
            table = WithPrimaryKey(table, create.PrimaryKey, create.PrimaryKeyName);
        }

        // SQLAlchemy's CREATE TABLE lists the unique constraints, then the foreign keys; the indexes follow it.
        foreach (var column in columns.Where(c => c.Unique && !c.Index))
        {
            table = AddUnique(table, null, [column.Name]);
        }

        foreach (var unique in create.Uniques)
        {
            table = AddUnique(table, unique.Name, unique.Columns);
        }

        foreach (
            var foreignKey in columns
                .Where(c => c.ForeignKey is not null)
                .Select(c => c.ForeignKey!)
                .Concat(create.ForeignKeys)
                .Where(f => !f.UseAlter)
        )
        {
            table = AddForeignKey(table, foreignKey);
        }

        foreach (var column in columns.Where(c => c.Index))
        {
            table = AddIndex(table, new IndexDefinition { Columns = [column.Name], Unique = column.Unique });
        }

        return create.Indexes.Aggregate(table, AddIndex);
    }

    /// <summary>
    /// What <c>op.add_column</c> adds besides the column: its unique constraint, foreign key and index.
    /// </summary>
    private TableModel ColumnConstraints(TableModel table, ColumnDefinition column)
    {
        if (column.Unique && !column.Index)
        {
            table = AddUnique(table, null, [column.Name]);
        }

        if (column.ForeignKey is { } fk)
        {
            table = AddForeignKey(table, fk);
        }

        return column.Index
            ? AddIndex(table, new IndexDefinition { Columns = [column.Name], Unique = column.Unique })
            : table;
    }

    private void CreateEnums(string schema, IEnumerable<ColumnDefinition> columns)
    {
        foreach (var type in columns.Select(c => c.Enum).OfType<EnumDefinition>().Where(e => e.CreatedWithTable))
        {
            _enums[(type.Schema ?? schema, type.Name)] = type.Labels;
        }
    }

    private string? RenameEnum(string schema, RenameEnumOperation rename)
    {
        if (!_enums.Remove((schema, rename.Name), out var labels))
        {
            return $"type {rename.Name} does not exist";
        }

        _enums[(schema, rename.NewName)] = labels;
        foreach (
            var (key, table) in _tables
                .Where(t => t.Value.Schema == schema && t.Value.Columns.Any(c => c.Type == rename.Name))
                .ToList()
        )
        {
            Put(
                key,
                table with
                {
                    Columns = table
                        .Columns.Select(c => c.Type == rename.Name ? c with { Type = rename.NewName } : c)
                        .ToList(),
                }
            );
        }

        return null;
    }

    private string? AlterEnum(string schema, AlterEnumOperation alter)
    {
        if (!_enums.TryGetValue((schema, alter.Name), out var labels))
        {
            return $"type {alter.Name} does not exist";
        }

        var list = labels.ToList();
        if (alter.RenamedFrom is { } from)
        {
            list = list.Select(l => l == from ? alter.Label : l).ToList();
        }
        else if (!list.Contains(alter.Label))
        {
            var at = alter.Neighbour is null ? -1 : list.IndexOf(alter.Neighbour);
            list.Insert(
                at < 0 ? list.Count
                    : alter.Before ? at
                    : at + 1,
                alter.Label
            );
        }

        _enums[(schema, alter.Name)] = list;
        return null;
    }

    /// <summary>
    /// Rewrites the foreign keys of every table that reference <paramref name="schema"/>.<paramref name="table"/>.
    /// </summary>
    private void Retarget(string schema, string table, Func<ForeignKeyState, ForeignKeyState> change)
    {
        foreach (var (key, model) in _tables.ToList())
        {
            if (model.ForeignKeys.Any(f => f.ReferencedSchema == schema && f.ReferencedTable == table))
            {
                Put(
                    key,
                    model with
                    {
                        ForeignKeys = model
                            .ForeignKeys.Select(f =>
                                f.ReferencedSchema == schema && f.ReferencedTable == table ? change(f) : f
                            )
                            .ToList(),
                    }
                );
            }
        }
    }

    /// <summary>A column whose type SQLAlchemy infers from its foreign key gets the referenced column's type.</summary>
    private ColumnDefinition Resolve(ColumnDefinition column) =>
        column.Type.Length > 0 || column.ForeignKey is not { } fk
            ? column
            : column with
            {
                Type =
                    _tables.TryGetValue((fk.ReferencedSchema ?? DefaultSchema, fk.ReferencedTable), out var target)
                    && target.Column(fk.ReferencedColumns.FirstOrDefault() ?? string.Empty) is { } referenced
                        ? referenced.Type
                        : "unknown",
            };

    private TableModel WithPrimaryKey(TableModel table, IReadOnlyList<string> columns, string? name)
    {
        var constraintName = Convention("pk", name, table.Name, columns) ?? Choose(table, [], "pkey");
        return table with
        {
            PrimaryKey = columns,
            PrimaryKeyName = constraintName,
            Columns = table.Columns.Select(c => columns.Contains(c.Name) ? c with { IsNullable = false } : c).ToList(),
            Indexes =
            [
                .. table.Indexes.Where(i => !i.IsPrimary),
                Index(table, constraintName, columns, unique: true, primary: true),
            ],
        };
    }

    private TableModel AddForeignKey(TableModel table, ForeignKeyDefinition fk)
    {
        var state = new ForeignKeyState
        {
            Name = Convention("fk", fk.Name, table.Name, fk.Columns, fk.ReferencedTable, fk.ReferencedColumns)
                ?? Choose(table, fk.Columns, "fkey"),
            Schema = table.Schema,
            Table = table.Name,
            Columns = fk.Columns,
            ReferencedSchema = fk.ReferencedSchema ?? DefaultSchema,
            ReferencedTable = fk.ReferencedTable,
            ReferencedColumns = fk.ReferencedColumns,
            OnDelete = Action(fk.OnDelete),
            OnUpdate = Action(fk.OnUpdate),
            Match = string.Equals(fk.Match, "FULL", StringComparison.OrdinalIgnoreCase)
                ? ForeignKeyMatch.Full
                : ForeignKeyMatch.Simple,
            IsDeferrable = fk.Deferrable,
            IsInitiallyDeferred = fk.InitiallyDeferred,
            IsValidated = true,
            Definition =
                $"FOREIGN KEY ({string.Join(", ", fk.Columns)}) REFERENCES "
                + $"{fk.ReferencedTable}({string.Join(", ", fk.ReferencedColumns)})",
        };
        return table with { ForeignKeys = [.. table.ForeignKeys, state] };
    }

    private static ReferentialAction Action(string? action) =>
        action?.ToUpperInvariant() switch
        {
            "CASCADE" => ReferentialAction.Cascade,
            "SET NULL" => ReferentialAction.SetNull,
            "SET DEFAULT" => ReferentialAction.SetDefault,
            "RESTRICT" => ReferentialAction.Restrict,
            _ => ReferentialAction.NoAction,
        };

    private TableModel AddUnique(TableModel table, string? name, IReadOnlyList<string> columns)
    {
        var constraintName = Convention("uq", name, table.Name, columns) ?? Choose(table, columns, "key");
        return table with
        {
            Uniques =
            [
                .. table.Uniques,
                new ConstraintState
                {
                    Name = constraintName,
                    Type = ConstraintType.Unique,
                    Columns = columns,
                    Definition = $"UNIQUE ({string.Join(", ", columns)})",
                    IsValidated = true,
                },
            ],
            Indexes = [.. table.Indexes, Index(table, constraintName, columns, unique: true, primary: false)],
        };
    }

    private TableModel AddIndex(TableModel table, IndexDefinition index)
    {
        var name = Convention("ix", index.Name, table.Name, index.Columns) ?? Choose(table, index.Columns, "idx");
        return table with
        {
            Indexes =
            [
                .. table.Indexes,
                Index(table, name, index.Columns, index.Unique, primary: false) with
                {
                    Method = index.Method,
                    Predicate = index.Predicate,
                },
            ],
        };
    }

    private string? Convention(
        string kind,
        string? given,
        string table,
        IReadOnlyList<string?> columns,
        string? referredTable = null,
        IReadOnlyList<string>? referredColumns = null
    ) => _inSql ? given : _naming.Convention(kind, given, table, columns, referredTable, referredColumns);

    /// <summary>
    /// PostgreSQL's name for an unnamed constraint, numbered (<c>_key1</c>, …) past names the schema already uses.
    /// </summary>
    private string Choose(TableModel table, IReadOnlyList<string?> columns, string label)
    {
        var own = NamesOf(table).ToHashSet(StringComparer.Ordinal);
        bool Used(string candidate) => own.Contains(candidate) || _names.ContainsKey((table.Schema, candidate));
        var name = ObjectNaming.PostgresName(table.Name, columns, label);
        for (var pass = 1; Used(name); pass++)
        {
            name = ObjectNaming.PostgresName(
                table.Name,
                columns,
                label + pass.ToString(System.Globalization.CultureInfo.InvariantCulture)
            );
        }

        return name;
    }

    private static IndexState Index(
        TableModel table,
        string name,
        IReadOnlyList<string?> columns,
        bool unique,
        bool primary
    ) =>
        new()
        {
            Name = name,
            Definition =
                $"CREATE {(unique ? "UNIQUE " : string.Empty)}INDEX {name} ON {table.Schema}.{table.Name} USING "
                + $"btree ({string.Join(", ", columns.Select(c => c ?? "expression"))})",
            IsUnique = unique,
            IsPrimary = primary,
            IsValid = true,
            Method = "btree",
            Columns = columns,
        };
}
