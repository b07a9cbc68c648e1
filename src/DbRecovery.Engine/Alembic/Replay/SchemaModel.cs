using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// The schema a static replay builds: tables keyed by (schema, name). <see cref="Apply"/> performs one
/// operation as PostgreSQL would, naming unnamed constraints and indexes the way PostgreSQL does.
/// </summary>
internal sealed class SchemaModel
{
    private readonly Dictionary<(string Schema, string Name), TableModel> _tables;

    public SchemaModel(string defaultSchema)
        : this(defaultSchema, new Dictionary<(string, string), TableModel>())
    {
    }

    private SchemaModel(string defaultSchema, Dictionary<(string, string), TableModel> tables)
    {
        DefaultSchema = defaultSchema;
        _tables = tables;
    }

    public string DefaultSchema { get; }

    public IReadOnlyCollection<TableModel> Tables => _tables.Values;

    public SchemaModel Clone() => new(DefaultSchema, new Dictionary<(string, string), TableModel>(_tables));

    public bool TryGet(string schema, string name, out TableModel table) => _tables.TryGetValue((schema, name), out table!);

    /// <summary>Applies one operation; returns a note when it could not be applied.</summary>
    public string? Apply(MigrationOperation operation)
    {
        var schema = operation.Schema ?? DefaultSchema;
        if (operation is ExecuteOperation execute)
        {
            return execute.Recognized.Select(Apply).FirstOrDefault(n => n is not null);
        }

        if (operation is OpaqueOperation)
        {
            return null;
        }

        if (operation is CreateTableOperation create)
        {
            _tables[(schema, create.Table!)] = Create(schema, create);
            return null;
        }

        if (operation is DropIndexOperation dropIndex && operation.Table is null)
        {
            var owner = _tables.Values.FirstOrDefault(t => t.Schema == schema && t.Indexes.Any(i => i.Name == dropIndex.Name));
            return owner is null ? $"index {dropIndex.Name} does not exist" : Apply(dropIndex with { Table = owner.Name });
        }

        if (!_tables.TryGetValue((schema, operation.Table!), out var table))
        {
            return $"{operation.Kind} on {schema}.{operation.Table}, which does not exist at this point";
        }

        switch (operation)
        {
            case DropTableOperation:
                _tables.Remove((schema, table.Name));
                return null;
            case RenameTableOperation rename:
                _tables.Remove((schema, table.Name));
                _tables[(schema, rename.NewName)] = table with { Name = rename.NewName };
                return null;
        }

        var (changed, note) = Change(table, operation);
        _tables[(schema, table.Name)] = changed;
        return note;
    }

    private (TableModel Table, string? Note) Change(TableModel table, MigrationOperation operation)
    {
        switch (operation)
        {
            case AddColumnOperation add:
                var column = Resolve(add.Column);
                var added = table with
                {
                    Columns = [.. table.Columns, new ColumnState { Name = column.Name, Ordinal = table.Columns.Count == 0 ? 1 : table.Columns.Max(c => c.Ordinal) + 1, Type = column.Type, IsNullable = column.Nullable }],
                };
                return (column.ForeignKey is { } fk ? AddForeignKey(added, fk) : added, null);
            case DropColumnOperation drop:
                return (table with
                {
                    Columns = table.Columns.Where(c => c.Name != drop.Column).ToList(),
                    PrimaryKey = table.PrimaryKey.Contains(drop.Column) ? [] : table.PrimaryKey,
                    ForeignKeys = table.ForeignKeys.Where(f => !f.Columns.Contains(drop.Column)).ToList(),
                    Indexes = table.Indexes.Where(i => !i.Columns.Contains(drop.Column)).ToList(),
                    Uniques = table.Uniques.Where(u => !u.Columns.Contains(drop.Column)).ToList(),
                }, table.Column(drop.Column) is null ? $"column {drop.Column} of {table.Name} does not exist" : null);
            case AlterColumnOperation alter when table.Column(alter.Column) is { } existing:
                var newName = alter.NewName ?? alter.Column;
                string Rename(string c) => c == alter.Column ? newName : c;
                return (table with
                {
                    Columns = table.Columns.Select(c => c.Name != alter.Column ? c : c with
                    {
                        Name = newName,
                        Type = alter.NewType ?? c.Type,
                        IsNullable = alter.Nullable ?? c.IsNullable,
                    }).ToList(),
                    PrimaryKey = table.PrimaryKey.Select(Rename).ToList(),
                    ForeignKeys = table.ForeignKeys.Select(f => f with { Columns = f.Columns.Select(Rename).ToList() }).ToList(),
                    Indexes = table.Indexes.Select(i => i with { Columns = i.Columns.Select(c => c is null ? null : Rename(c)).ToList() }).ToList(),
                }, null);
            case CreateIndexOperation index:
                return (table with { Indexes = [.. table.Indexes, Index(table, index.Name, index.Columns, index.Unique)] }, null);
            case DropIndexOperation dropIndex:
                return (table with { Indexes = table.Indexes.Where(i => i.Name != dropIndex.Name).ToList() }, null);
            case CreateForeignKeyOperation foreignKey:
                return (AddForeignKey(table, foreignKey.ForeignKey), null);
            case CreateUniqueConstraintOperation unique:
                return (AddUnique(table, unique.Name, unique.Columns), null);
            case DropConstraintOperation constraint:
                return (table with
                {
                    ForeignKeys = table.ForeignKeys.Where(f => f.Name != constraint.Name).ToList(),
                    Uniques = table.Uniques.Where(u => u.Name != constraint.Name).ToList(),
                    Indexes = table.Indexes.Where(i => i.Name != constraint.Name).ToList(),
                    PrimaryKey = constraint.Name == $"{table.Name}_pkey" ? [] : table.PrimaryKey,
                }, null);
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
            columns.Select((c, i) => new ColumnState { Name = c.Name, Ordinal = i + 1, Type = c.Type, IsNullable = c.Nullable }).ToList(),
            create.PrimaryKey,
            [],
            create.PrimaryKey.Count == 0 ? [] : [Index(schema, create.Table!, $"{create.Table}_pkey", create.PrimaryKey, unique: true, primary: true)],
            []);
        foreach (var column in columns.Where(c => c.Unique))
        {
            table = AddUnique(table, null, [column.Name]);
        }

        foreach (var foreignKey in columns.Where(c => c.ForeignKey is not null).Select(c => c.ForeignKey!).Concat(create.ForeignKeys))
        {
            table = AddForeignKey(table, foreignKey);
        }

        return table;
    }

    /// <summary>A column whose type SQLAlchemy infers from its foreign key gets the referenced column's type.</summary>
    private ColumnDefinition Resolve(ColumnDefinition column) =>
        column.Type.Length > 0 || column.ForeignKey is not { } fk
            ? column
            : column with
            {
                Type = _tables.TryGetValue((fk.ReferencedSchema ?? DefaultSchema, fk.ReferencedTable), out var target)
                    && target.Column(fk.ReferencedColumns.FirstOrDefault() ?? string.Empty) is { } referenced ? referenced.Type : "unknown",
            };

    private TableModel AddForeignKey(TableModel table, ForeignKeyDefinition fk)
    {
        var referencedSchema = fk.ReferencedSchema ?? DefaultSchema;
        var state = new ForeignKeyState
        {
            Name = fk.Name ?? $"{table.Name}_{string.Join("_", fk.Columns)}_fkey",
            Schema = table.Schema,
            Table = table.Name,
            Columns = fk.Columns,
            ReferencedSchema = referencedSchema,
            ReferencedTable = fk.ReferencedTable,
            ReferencedColumns = fk.ReferencedColumns,
            OnDelete = fk.OnDelete?.ToUpperInvariant() switch
            {
                "CASCADE" => ReferentialAction.Cascade,
                "SET NULL" => ReferentialAction.SetNull,
                "SET DEFAULT" => ReferentialAction.SetDefault,
                "RESTRICT" => ReferentialAction.Restrict,
                _ => ReferentialAction.NoAction,
            },
            IsValidated = true,
            Definition = $"FOREIGN KEY ({string.Join(", ", fk.Columns)}) REFERENCES {fk.ReferencedTable}({string.Join(", ", fk.ReferencedColumns)})",
        };
        return table with { ForeignKeys = [.. table.ForeignKeys, state] };
    }

    private static TableModel AddUnique(TableModel table, string? name, IReadOnlyList<string> columns)
    {
        var constraintName = name ?? $"{table.Name}_{string.Join("_", columns)}_key";
        return table with
        {
            Uniques = [.. table.Uniques, new ConstraintState { Name = constraintName, Type = ConstraintType.Unique, Columns = columns, Definition = $"UNIQUE ({string.Join(", ", columns)})", IsValidated = true }],
            Indexes = [.. table.Indexes, Index(table, constraintName, columns, unique: true)],
        };
    }

    private static IndexState Index(TableModel table, string name, IReadOnlyList<string> columns, bool unique) =>
        Index(table.Schema, table.Name, name, columns, unique, primary: false);

    private static IndexState Index(string schema, string table, string name, IReadOnlyList<string> columns, bool unique, bool primary) => new()
    {
        Name = name,
        Definition = $"CREATE {(unique ? "UNIQUE " : string.Empty)}INDEX {name} ON {schema}.{table} USING btree ({string.Join(", ", columns)})",
        IsUnique = unique,
        IsPrimary = primary,
        IsValid = true,
        Method = "btree",
        Columns = columns,
    };
}
