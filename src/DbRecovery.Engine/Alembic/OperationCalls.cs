using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>Turns <c>op.*</c> and <c>batch_op.*</c> calls into operations (null for calls it does not model).</summary>
internal static class OperationCalls
{
    public static MigrationOperation? FromOp(string method, PythonCall call)
    {
        var schema = call.Keyword("schema")?.AsString();
        return method switch
        {
            "create_table" => CreateTable(call, schema),
            "drop_table" => Located(new DropTableOperation(), call.Argument(0, "table_name"), schema, call),
            "rename_table" when call.Argument(1, "new_table_name")?.AsString() is { } newName => Located(
                new RenameTableOperation { NewName = newName },
                call.Argument(0, "old_table_name"),
                schema,
                call
            ),
            "add_column" when call.Argument(1, "column") is PythonCall column => Located(
                new AddColumnOperation { Column = Column(column) },
                call.Argument(0, "table_name"),
                schema,
                call
            ),
            "drop_column" when call.Argument(1, "column_name")?.AsString() is { } column => Located(
                new DropColumnOperation { Column = column },
                call.Argument(0, "table_name"),
                schema,
                call
            ),
            "alter_column" when call.Argument(1, "column_name")?.AsString() is { } column => Located(
                AlterColumn(call, column),
                call.Argument(0, "table_name"),
                schema,
                call
            ),
            "create_index" => Located(CreateIndex(call, 2), call.Argument(1, "table_name"), schema, call),
            "drop_index" when call.Argument(0, "index_name")?.AsString() is { } index => call.Argument(1, "table_name")
                is null
                ? new DropIndexOperation
                {
                    Name = index,
                    Schema = schema,
                    Line = call.Line,
                }
                : Located(new DropIndexOperation { Name = index }, call.Argument(1, "table_name"), schema, call),
            "create_foreign_key" => Located(
                ForeignKey(call, 2, 3),
                call.Argument(1, "source_table"),
                call.Keyword("source_schema")?.AsString(),
                call
            ),
            "create_unique_constraint" => Located(
                new CreateUniqueConstraintOperation
                {
                    Unique = new UniqueDefinition
                    {
                        Name = call.Argument(0, "constraint_name")?.AsString(),
                        Columns = Names(call.Argument(2, "columns")),
                    },
                },
                call.Argument(1, "table_name"),
                schema,
                call
            ),
            "create_primary_key" => Located(
                new CreatePrimaryKeyOperation
                {
                    Name = call.Argument(0, "constraint_name")?.AsString(),
                    Columns = Names(call.Argument(2, "columns")),
                },
                call.Argument(1, "table_name"),
                schema,
                call
            ),
            "drop_constraint" when call.Argument(0, "constraint_name")?.AsString() is { } constraint => Located(
                new DropConstraintOperation
                {
                    Name = constraint,
                    ConstraintType = call.Argument(2, "type_")?.AsString(),
                },
                call.Argument(1, "table_name"),
                schema,
                call
            ),
            "create_check_constraint" or "drop_table_comment" or "create_table_comment" => Ignored(call),
            "execute" => Execute(call),
            _ => null,
        };
    }

    /// <summary><c>create()</c>/<c>drop()</c> of a SQLAlchemy Core table the migration defines:
    /// <c>sa.Table("t", meta, sa.Column(...)).create()</c> creates it as <c>op.create_table</c> would.</summary>
    public static MigrationOperation? FromTable(string method, PythonCall table) =>
        method switch
        {
            "create" => FromOp("create_table", table),
            "drop" => FromOp("drop_table", table),
            _ => null,
        };

    /// <summary>The <c>Table(...)</c> call <paramref name="value"/> is, or null.</summary>
    public static PythonCall? TableOf(PythonExpression value) =>
        value is PythonCall call && LastName(call) == "Table" ? call : null;

    public static MigrationOperation? FromBatch(string method, PythonCall call, string? table, string? schema)
    {
        MigrationOperation? operation = method switch
        {
            "add_column" when call.Argument(0, "column") is PythonCall column => new AddColumnOperation
            {
                Column = Column(column),
            },
            "drop_column" when call.Argument(0, "column_name")?.AsString() is { } column => new DropColumnOperation
            {
                Column = column,
            },
            "alter_column" when call.Argument(0, "column_name")?.AsString() is { } column => AlterColumn(call, column),
            "rename_table" when call.Argument(1, "new_table_name")?.AsString() is { } newName =>
                new RenameTableOperation { NewName = newName },
            "create_index" => CreateIndex(call, 1),
            "drop_index" when call.Argument(0, "index_name")?.AsString() is { } index => new DropIndexOperation
            {
                Name = index,
            },
            "create_foreign_key" => ForeignKey(call, 1, 2),
            "create_unique_constraint" => new CreateUniqueConstraintOperation
            {
                Unique = new UniqueDefinition
                {
                    Name = call.Argument(0, "constraint_name")?.AsString(),
                    Columns = Names(call.Argument(1, "columns")),
                },
            },
            "create_primary_key" => new CreatePrimaryKeyOperation
            {
                Name = call.Argument(0, "constraint_name")?.AsString(),
                Columns = Names(call.Argument(1, "columns")),
            },
            "drop_constraint" when call.Argument(0, "constraint_name")?.AsString() is { } constraint =>
                new DropConstraintOperation
                {
                    Name = constraint,
                    ConstraintType = call.Argument(1, "type_")?.AsString(),
                },
            "create_check_constraint" => Ignored(call),
            "execute" => Execute(call),
            _ => null,
        };
        return operation is null or ExecuteOperation || table is null
            ? operation
            : operation with
            {
                Table = table,
                Schema = schema,
                Line = call.Line,
            };
    }

    private static MigrationOperation? Located(
        MigrationOperation? operation,
        PythonExpression? table,
        string? schema,
        PythonCall call
    ) =>
        operation is null || table?.AsString() is not { } name
            ? null
            : operation with
            {
                Table = name,
                Schema = schema,
                Line = call.Line,
            };

    /// <summary>
    /// Check constraints and comments change nothing the comparison looks at: an empty DDL statement.
    /// </summary>
    private static ExecuteOperation Ignored(PythonCall call) => new() { Line = call.Line };

    private static CreateTableOperation CreateTable(PythonCall call, string? schema)
    {
        var columns = new List<ColumnDefinition>();
        var foreignKeys = new List<ForeignKeyDefinition>();
        var uniques = new List<UniqueDefinition>();
        var indexes = new List<IndexDefinition>();
        List<string>? primaryKey = null;
        string? primaryKeyName = null;
        foreach (var argument in call.Arguments.Skip(1).OfType<PythonCall>())
        {
            switch (LastName(argument))
            {
                case "Column":
                    columns.Add(Column(argument));
                    break;
                case "PrimaryKeyConstraint":
                    primaryKey = Strings(argument.Arguments);
                    primaryKeyName = argument.Keyword("name")?.AsString();
                    break;
                case "ForeignKeyConstraint":
                    foreignKeys.Add(ForeignKeyConstraint(argument));
                    break;
                case "UniqueConstraint":
                    uniques.Add(
                        new UniqueDefinition
                        {
                            Name = argument.Keyword("name")?.AsString(),
                            Columns = Strings(argument.Arguments),
                        }
                    );
                    break;
                case "Index":
                    indexes.Add(
                        Index(argument, argument.Argument(0, "name")?.AsString(), [.. argument.Arguments.Skip(1)])
                    );
                    break;
            }
        }

        var key = primaryKey ?? columns.Where(c => c.PrimaryKey).Select(c => c.Name).ToList();
        return new CreateTableOperation
        {
            Table = call.Argument(0, "table_name")?.AsString(),
            Schema = schema,
            Line = call.Line,
            Columns = columns
                .Select(c =>
                    c with
                    {
                        PrimaryKey = key.Contains(c.Name),
                        Nullable = c.Nullable && !key.Contains(c.Name),
                    }
                )
                .ToList(),
            ForeignKeys = foreignKeys,
            PrimaryKey = key,
            PrimaryKeyName = primaryKeyName,
            Uniques = uniques,
            Indexes = indexes,
        };
    }

    internal static ColumnDefinition Column(PythonCall column)
    {
        var name = column.Argument(0, "name")?.AsString() ?? string.Empty;
        var rest =
            column.Arguments.Count > 0 && column.Arguments[0] is PythonString
                ? column.Arguments.Skip(1)
                : column.Arguments;
        var type = column.Keyword("type_")
            ?? rest.FirstOrDefault(a =>
                a is PythonName or PythonAttribute or PythonSubscript or PythonOpaque
                || (a is PythonCall c && !IsSchemaItem(c))
            );
        var items = column.Arguments.OfType<PythonCall>().ToList();
        var foreignKey = items.FirstOrDefault(c => LastName(c) == "ForeignKey");
        var primaryKey = IsTrue(column.Keyword("primary_key"));

        // PostgreSQL makes identity columns NOT NULL whatever the model says.
        var identity = items.Any(c => LastName(c) == "Identity");
        return new ColumnDefinition
        {
            Name = name,
            Type = type is null ? string.Empty : SqlAlchemyTypes.Map(type),
            PrimaryKey = primaryKey,
            Nullable = !identity && (column.Keyword("nullable") is { } nullable ? !IsFalse(nullable) : !primaryKey),
            Unique = IsTrue(column.Keyword("unique")),
            Index = IsTrue(column.Keyword("index")),
            HasDefault =
                identity
                || column.Keyword("server_default") is { } serverDefault
                    && serverDefault is not PythonName { Dotted: "None" },
            Enum = type is null ? null : SqlAlchemyTypes.Enum(type),
            ForeignKey = foreignKey is null
                ? null
                : Options(Reference(foreignKey.Argument(0, "column")?.AsString(), [name]), foreignKey),
        };
    }

    private static ForeignKeyDefinition ForeignKeyConstraint(PythonCall constraint)
    {
        var targets = Names(constraint.Argument(1, "refcolumns"));
        var first = Reference(targets.FirstOrDefault(), Names(constraint.Argument(0, "columns")));
        return Options(
            first with
            {
                ReferencedColumns = targets.Select(t => t[(t.LastIndexOf('.') + 1)..]).ToList(),
            },
            constraint
        );
    }

    /// <summary>
    /// The keywords <c>ForeignKey</c>, <c>ForeignKeyConstraint</c> and <c>create_foreign_key</c> share.
    /// </summary>
    private static ForeignKeyDefinition Options(ForeignKeyDefinition foreignKey, PythonCall call) =>
        foreignKey with
        {
            Name = call.Keyword("name")?.AsString() ?? foreignKey.Name,
            OnDelete = call.Keyword("ondelete")?.AsString(),
            OnUpdate = call.Keyword("onupdate")?.AsString(),
            Match = call.Keyword("match")?.AsString(),
            Deferrable = IsTrue(call.Keyword("deferrable")),
            InitiallyDeferred = string.Equals(
                call.Keyword("initially")?.AsString(),
                "DEFERRED",
                StringComparison.OrdinalIgnoreCase
            ),
            UseAlter = IsTrue(call.Keyword("use_alter")),
        };

    /// <summary>A reference such as <c>users.id</c> or <c>auth.users.id</c>.</summary>
    private static ForeignKeyDefinition Reference(string? target, IReadOnlyList<string> columns)
    {
        var parts = (target ?? string.Empty).Split('.');
        return new ForeignKeyDefinition
        {
            Columns = columns,
            ReferencedSchema = parts.Length > 2 ? parts[^3] : null,
            ReferencedTable = parts.Length > 1 ? parts[^2] : parts[0],
            ReferencedColumns = parts.Length > 1 ? [parts[^1]] : [],
        };
    }

    /// <summary>
    /// <c>op.create_foreign_key(name, source, referent, local_cols, remote_cols)</c> or its batch form without the
    /// source.
    /// </summary>
    private static CreateForeignKeyOperation? ForeignKey(PythonCall call, int referent, int local) =>
        call.Argument(referent, "referent_table")?.AsString() is not { } referentTable
            ? null
            : new CreateForeignKeyOperation
            {
                Line = call.Line,
                ForeignKey = Options(
                    new ForeignKeyDefinition
                    {
                        Name = call.Argument(0, "constraint_name")?.AsString(),
                        ReferencedSchema = call.Keyword("referent_schema")?.AsString(),
                        ReferencedTable = referentTable,
                        Columns = Names(call.Argument(local, "local_cols")),
                        ReferencedColumns = Names(call.Argument(local + 1, "remote_cols")),
                    },
                    call
                ),
            };

    private static AlterColumnOperation AlterColumn(PythonCall call, string column) =>
        new()
        {
            Column = column,
            NewType = call.Keyword("type_") is { } type ? SqlAlchemyTypes.Map(type) : null,
            Nullable = call.Keyword("nullable") is { } nullable ? !IsFalse(nullable) : null,
            NewName = call.Keyword("new_column_name")?.AsString(),
            HasUsing = call.Keyword("postgresql_using") is not null,
            Line = call.Line,
        };

    /// <summary><c>op.create_index(name, table, columns, ...)</c>, or the batch form without the table.</summary>
    private static CreateIndexOperation CreateIndex(PythonCall call, int columnsIndex) =>
        new()
        {
            Index = Index(
                call,
                call.Argument(0, "index_name")?.AsString(),
                call.Argument(columnsIndex, "columns") is PythonSequence sequence ? sequence.Items
                    : call.Argument(columnsIndex, "columns") is { } single ? [single]
                    : []
            ),
            Line = call.Line,
        };

    /// <summary>
    /// An index from its columns (names, or <c>sa.text</c> expressions) and its <c>unique</c>/<c>postgresql_*</c>
    /// keywords.
    /// </summary>
    private static IndexDefinition Index(PythonCall call, string? name, IReadOnlyList<PythonExpression> columns) =>
        new()
        {
            Name = name,
            Columns = columns
                .Select(c =>
                    c is PythonString ? c.AsString()
                    : c.AsString() is { } text ? SqlDdlReader.IndexColumn(text)
                    : null
                )
                .ToList(),
            Unique = IsTrue(call.Keyword("unique")),
            Method = call.Keyword("postgresql_using")?.AsString()?.ToLowerInvariant() ?? "btree",
            Predicate = call.Keyword("postgresql_where") is { } where ? where.AsString() ?? "expression" : null,
        };

    private static ExecuteOperation Execute(PythonCall call)
    {
        var sql = call.Argument(0, "sqltext")?.AsString();
        var (recognized, opaque) = sql is null ? ([], true) : SqlDdlReader.Read(sql);
        return new ExecuteOperation
        {
            Sql = sql,
            Recognized = recognized.Select(r => r with { Line = call.Line }).ToList(),
            HasOpaqueParts = opaque,
            Line = call.Line,
        };
    }

    private static List<string> Names(PythonExpression? value) =>
        value switch
        {
            PythonSequence sequence => sequence
                .Items.Select(i =>
                    i.AsString() ?? (i is PythonCall c && c.Arguments.Count > 0 ? c.Arguments[0].AsString() : null)
                )
                .OfType<string>()
                .ToList(),
            _ when value?.AsString() is { } single => [single],
            _ => [],
        };

    private static List<string> Strings(IEnumerable<PythonExpression> values) =>
        values.Select(v => v.AsString()).OfType<string>().ToList();

    /// <summary>Column arguments that are not its type: constraints, keys, identity, computed, sequences.</summary>
    private static bool IsSchemaItem(PythonCall call) =>
        LastName(call)
            is "ForeignKey"
                or "Identity"
                or "Computed"
                or "Sequence"
                or "CheckConstraint"
                or "DefaultClause"
                or "FetchedValue";

    private static string LastName(PythonCall call) => call.Function is PythonName name ? name.Last : string.Empty;

    private static bool IsTrue(PythonExpression? value) => value is PythonName { Dotted: "True" };

    private static bool IsFalse(PythonExpression? value) => value is PythonName { Dotted: "False" };
}
