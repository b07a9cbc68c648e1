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
            "rename_table" when call.Argument(1, "new_table_name")?.AsString() is { } newName =>
                Located(new RenameTableOperation { NewName = newName }, call.Argument(0, "old_table_name"), schema, call),
            "add_column" when call.Argument(1, "column") is PythonCall column =>
                Located(new AddColumnOperation { Column = Column(column) }, call.Argument(0, "table_name"), schema, call),
            "drop_column" when call.Argument(1, "column_name")?.AsString() is { } column =>
                Located(new DropColumnOperation { Column = column }, call.Argument(0, "table_name"), schema, call),
            "alter_column" when call.Argument(1, "column_name")?.AsString() is { } column =>
                Located(AlterColumn(call, column), call.Argument(0, "table_name"), schema, call),
            "create_index" when call.Argument(0, "index_name")?.AsString() is { } index =>
                Located(CreateIndex(call, index, 2), call.Argument(1, "table_name"), schema, call),
            "drop_index" when call.Argument(0, "index_name")?.AsString() is { } index =>
                Located(new DropIndexOperation { Name = index }, call.Argument(1, "table_name"), schema, call),
            "create_foreign_key" => Located(ForeignKey(call, 2, 3), call.Argument(1, "source_table"), call.Keyword("source_schema")?.AsString(), call),
            "create_unique_constraint" => Located(new CreateUniqueConstraintOperation { Name = call.Argument(0, "constraint_name")?.AsString(), Columns = Names(call.Argument(2, "columns")) }, call.Argument(1, "table_name"), schema, call),
            "drop_constraint" when call.Argument(0, "constraint_name")?.AsString() is { } constraint =>
                Located(new DropConstraintOperation { Name = constraint }, call.Argument(1, "table_name"), schema, call),
            "execute" => Execute(call),
            _ => null,
        };
    }

    public static MigrationOperation? FromBatch(string method, PythonCall call, string? table, string? schema)
    {
        MigrationOperation? operation = method switch
        {
            "add_column" when call.Argument(0, "column") is PythonCall column => new AddColumnOperation { Column = Column(column) },
            "drop_column" when call.Argument(0, "column_name")?.AsString() is { } column => new DropColumnOperation { Column = column },
            "alter_column" when call.Argument(0, "column_name")?.AsString() is { } column => AlterColumn(call, column),
            "create_index" when call.Argument(0, "index_name")?.AsString() is { } index => CreateIndex(call, index, 1),
            "drop_index" when call.Argument(0, "index_name")?.AsString() is { } index => new DropIndexOperation { Name = index },
            "create_foreign_key" => ForeignKey(call, 1, 2),
            "create_unique_constraint" => new CreateUniqueConstraintOperation { Name = call.Argument(0, "constraint_name")?.AsString(), Columns = Names(call.Argument(1, "columns")) },
            "drop_constraint" when call.Argument(0, "constraint_name")?.AsString() is { } constraint => new DropConstraintOperation { Name = constraint },
            "execute" => Execute(call),
            _ => null,
        };
        return operation is null or ExecuteOperation || table is null ? operation : operation with { Table = table, Schema = schema, Line = call.Line };
    }

    private static MigrationOperation? Located(MigrationOperation? operation, PythonExpression? table, string? schema, PythonCall call) =>
        operation is null || table?.AsString() is not { } name ? null : operation with { Table = name, Schema = schema, Line = call.Line };

    private static CreateTableOperation CreateTable(PythonCall call, string? schema)
    {
        var columns = new List<ColumnDefinition>();
        var foreignKeys = new List<ForeignKeyDefinition>();
        var primaryKey = new List<string>();
        var uniques = new List<string>();
        foreach (var argument in call.Arguments.Skip(1).OfType<PythonCall>())
        {
            switch (LastName(argument))
            {
                case "Column":
                    columns.Add(Column(argument));
                    break;
                case "PrimaryKeyConstraint":
                    primaryKey.AddRange(argument.Arguments.Select(a => a.AsString()).OfType<string>());
                    break;
                case "ForeignKeyConstraint":
                    foreignKeys.Add(ForeignKeyConstraint(argument));
                    break;
                case "UniqueConstraint" when argument.Arguments.Count == 1 && argument.Arguments[0].AsString() is { } single:
                    uniques.Add(single);
                    break;
            }
        }

        columns = columns.Select(c => c with
        {
            PrimaryKey = c.PrimaryKey || primaryKey.Contains(c.Name),
            Nullable = c.Nullable && !primaryKey.Contains(c.Name),
            Unique = c.Unique || uniques.Contains(c.Name),
        }).ToList();
        return new CreateTableOperation
        {
            Table = call.Argument(0, "table_name")?.AsString(),
            Schema = schema,
            Line = call.Line,
            Columns = columns,
            ForeignKeys = foreignKeys,
            PrimaryKey = columns.Where(c => c.PrimaryKey).Select(c => c.Name).ToList(),
        };
    }

    internal static ColumnDefinition Column(PythonCall column)
    {
        var name = column.Argument(0, "name")?.AsString() ?? string.Empty;
        var type = column.Keyword("type_") ?? column.Arguments.Skip(1).FirstOrDefault(a => a.AsString() is null && !IsForeignKey(a));
        var foreignKey = column.Arguments.OfType<PythonCall>().FirstOrDefault(IsForeignKey);
        var primaryKey = IsTrue(column.Keyword("primary_key"));
        return new ColumnDefinition
        {
            Name = name,
            Type = type is null ? string.Empty : SqlAlchemyTypes.Map(type),
            PrimaryKey = primaryKey,
            Nullable = column.Keyword("nullable") is { } nullable ? IsTrue(nullable) : !primaryKey,
            Unique = IsTrue(column.Keyword("unique")),
            ForeignKey = foreignKey is null ? null : Reference(foreignKey.Argument(0, "column")?.AsString(), [name]) with
            {
                Name = foreignKey.Keyword("name")?.AsString(),
                OnDelete = foreignKey.Keyword("ondelete")?.AsString(),
            },
        };
    }

    private static ForeignKeyDefinition ForeignKeyConstraint(PythonCall constraint)
    {
        var targets = Names(constraint.Argument(1, "refcolumns"));
        var first = Reference(targets.FirstOrDefault(), Names(constraint.Argument(0, "columns")));
        return first with
        {
            ReferencedColumns = targets.Select(t => t[(t.LastIndexOf('.') + 1)..]).ToList(),
            Name = constraint.Keyword("name")?.AsString(),
            OnDelete = constraint.Keyword("ondelete")?.AsString(),
        };
    }

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

    /// <summary><c>op.create_foreign_key(name, source, referent, local_cols, remote_cols)</c> or its batch form without the source.</summary>
    private static CreateForeignKeyOperation? ForeignKey(PythonCall call, int referent, int local) =>
        call.Argument(referent, "referent_table")?.AsString() is not { } referentTable
            ? null
            : new CreateForeignKeyOperation
            {
                Line = call.Line,
                ForeignKey = new ForeignKeyDefinition
                {
                    Name = call.Argument(0, "constraint_name")?.AsString(),
                    ReferencedSchema = call.Keyword("referent_schema")?.AsString(),
                    ReferencedTable = referentTable,
                    Columns = Names(call.Argument(local, "local_cols")),
                    ReferencedColumns = Names(call.Argument(local + 1, "remote_cols")),
                    OnDelete = call.Keyword("ondelete")?.AsString(),
                },
            };

    private static AlterColumnOperation AlterColumn(PythonCall call, string column) => new()
    {
        Column = column,
        NewType = call.Keyword("type_") is { } type ? SqlAlchemyTypes.Map(type) : null,
        Nullable = call.Keyword("nullable") is { } nullable ? IsTrue(nullable) : null,
        NewName = call.Keyword("new_column_name")?.AsString(),
        Line = call.Line,
    };

    private static CreateIndexOperation CreateIndex(PythonCall call, string name, int columnsIndex) => new()
    {
        Name = name,
        Columns = Names(call.Argument(columnsIndex, "columns")),
        Unique = IsTrue(call.Keyword("unique")),
        Line = call.Line,
    };

    private static ExecuteOperation Execute(PythonCall call)
    {
        var sql = call.Argument(0, "sqltext")?.AsString();
        var (recognized, opaque) = sql is null ? ([], true) : SqlDdlReader.Read(sql);
        return new ExecuteOperation { Sql = sql, Recognized = recognized.Select(r => r with { Line = call.Line }).ToList(), HasOpaqueParts = opaque, Line = call.Line };
    }

    private static List<string> Names(PythonExpression? value) => value switch
    {
        PythonSequence sequence => sequence.Items.Select(i => i.AsString() ?? (i is PythonCall c && c.Arguments.Count > 0 ? c.Arguments[0].AsString() : null)).OfType<string>().ToList(),
        _ when value?.AsString() is { } single => [single],
        _ => [],
    };

    private static bool IsForeignKey(PythonExpression expression) => expression is PythonCall call && LastName(call) == "ForeignKey";

    private static string LastName(PythonCall call) => call.Function is PythonName name ? name.Last : string.Empty;

    private static bool IsTrue(PythonExpression? value) => value is PythonName { Dotted: "True" };
}
