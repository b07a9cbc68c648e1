using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// Will <c>alembic upgrade</c> succeed here? Replays the revisions still to run over a model of the live
/// schema and, before and after each operation, checks what PostgreSQL checks: what it creates must not
/// exist, what it needs must, a foreign key needs a unique key of a compatible type, NOT NULL needs a
/// default on a table with rows, a type change needs a cast. Python and SQL the replay cannot read are
/// reported as unpredictable rather than guessed.
/// </summary>
public static class StaticUpgradeCheck
{
    /// <summary>
    /// Checks the upgrade of <paramref name="live"/> from <paramref name="from"/> to <paramref name="to"/>.
    /// </summary>
    /// <param name="history">The migration history.</param>
    /// <param name="live">The live schema (or a snapshot of it).</param>
    /// <param name="from">The revisions the database is at (empty for base).</param>
    /// <param name="to">The revisions to upgrade to.</param>
    /// <param name="tablesWithRows">The tables that hold rows; null to judge by the snapshot's row estimates.</param>
    /// <param name="defaultSchema">Where unqualified tables go.</param>
    public static UpgradeReport Run(
        AlembicHistory history,
        SchemaState live,
        IReadOnlyList<string> from,
        IReadOnlyList<string> to,
        IReadOnlySet<QualifiedName>? tablesWithRows = null,
        string defaultSchema = "public"
    )
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(live);
        var pending = history.Path(from, to);
        var model = SchemaModel.From(live, defaultSchema, new ObjectNaming(history.NamingConvention));
        var rows = tablesWithRows
            ?? live.Tables.Where(t => t.EstimatedRows is null or > 0)
                .Select(t => new QualifiedName(t.Schema, t.Name))
                .ToHashSet();
        var findings = new List<UpgradeFinding>();
        foreach (var revision in pending)
        {
            var checker = new Checker(model, revision.Revision, rows, findings);
            foreach (var operation in revision.Operations)
            {
                checker.Check(operation);
            }
        }

        return new UpgradeReport
        {
            Database = live.Database,
            From = from,
            To = to,
            Revisions = pending.Select(r => r.Revision).ToList(),
            Mode = "Static",
            Findings = findings,
        };
    }

    /// <summary>
    /// The tables whose rows decide whether a pending revision succeeds: those that get a NOT NULL column without a
    /// default.
    /// </summary>
    public static IReadOnlyList<QualifiedName> RowSensitiveTables(
        IEnumerable<AlembicRevision> pending,
        string defaultSchema = "public"
    ) =>
        pending
            .SelectMany(r => r.Operations)
            .OfType<AddColumnOperation>()
            .Where(a => !a.Column.Nullable && !a.Column.HasDefault)
            .Select(a => new QualifiedName(a.Schema ?? defaultSchema, a.Table!))
            .Distinct()
            .ToList();

    private sealed class Checker(
        SchemaModel model,
        string revision,
        IReadOnlySet<QualifiedName> rows,
        List<UpgradeFinding> findings
    )
    {
        private readonly HashSet<QualifiedName> _created = [];

        public void Check(MigrationOperation operation)
        {
            switch (operation)
            {
                case GuardedOperation guarded:
                    if (model.Lets(guarded))
                    {
                        Check(guarded.Inner);
                    }

                    return;
                case OpaqueOperation opaque:
                    Add(
                        operation,
                        model.DefaultSchema,
                        UpgradeFindingKind.Unpredictable,
                        $"{opaque.Description}: Python that DbRecovery does not run, so what it does here cannot be "
                            + "predicted statically"
                    );
                    return;
                case ExecuteOperation execute:
                    if (execute.HasOpaqueParts)
                    {
                        Add(
                            operation,
                            model.DefaultSchema,
                            UpgradeFindingKind.Unpredictable,
                            "op.execute runs SQL beyond the DDL DbRecovery reads (data changes, functions); whether "
                                + "it succeeds on this data cannot be predicted statically"
                        );
                    }

                    foreach (var part in execute.Recognized)
                    {
                        CheckApplied(part with { Line = execute.Line }, () =>
                            model.Apply(execute with { Recognized = [part] })
                        );
                    }

                    return;
                default:
                    CheckApplied(operation, () => model.Apply(operation));
                    return;
            }
        }

        private void CheckApplied(MigrationOperation operation, Action apply)
        {
            var schema = operation.Schema ?? model.DefaultSchema;
            var before = operation.Table is null ? null : model.Find(schema, operation.Table);
            if (!Before(operation, schema, before))
            {
                apply();
                return;
            }

            apply();
            After(operation, schema, before);
        }

        /// <summary>
        /// The checks on the schema as the operation finds it; false when the table it needs is missing (nothing more
        /// to check).
        /// </summary>
        private bool Before(MigrationOperation operation, string schema, TableModel? table)
        {
            if (BeforeOnSchema(operation, schema, table) is { } checkedOnSchema)
            {
                return checkedOnSchema;
            }

            var name = operation.Table;
            if (name is null)
            {
                return false;
            }

            if (table is null)
            {
                Add(operation, $"{schema}.{name}", UpgradeFindingKind.Missing, $"relation \"{name}\" does not exist");
                return false;
            }

            if (!BeforeOnColumns(operation, schema, name, table))
            {
                BeforeOnTable(operation, schema, name, table);
            }

            return true;
        }

        /// <summary>
        /// The checks of an operation on a schema-level object (a table created, a type, an index by name alone):
        /// whether to go on to the table checks, or null when the operation is on a table.
        /// </summary>
        private bool? BeforeOnSchema(MigrationOperation operation, string schema, TableModel? table)
        {
            var name = operation.Table;
            switch (operation)
            {
                case CreateTableOperation:
                    if (table is not null)
                    {
                        Add(
                            operation,
                            $"{schema}.{name}",
                            UpgradeFindingKind.AlreadyExists,
                            $"relation \"{name}\" already exists"
                        );
                    }

                    _created.Add(new QualifiedName(schema, name!));
                    return true;
                case CreateEnumOperation create:
                    if (model.HasEnum(create.Enum.Schema ?? schema, create.Enum.Name))
                    {
                        Add(
                            operation,
                            $"{create.Enum.Schema ?? schema}.{create.Enum.Name}",
                            UpgradeFindingKind.AlreadyExists,
                            $"type \"{create.Enum.Name}\" already exists"
                        );
                    }

                    return false;
                case RenameEnumOperation rename
                    when !model.HasEnum(schema, rename.Name) || model.HasEnum(schema, rename.NewName):
                    Add(
                        operation,
                        $"{schema}.{rename.Name}",
                        model.HasEnum(schema, rename.Name)
                            ? UpgradeFindingKind.AlreadyExists
                            : UpgradeFindingKind.Missing,
                        model.HasEnum(schema, rename.Name)
                            ? $"type \"{rename.NewName}\" already exists"
                            : $"type \"{rename.Name}\" does not exist"
                    );
                    return false;
                case DropEnumOperation drop when !model.HasEnum(schema, drop.Name):
                    Add(
                        operation,
                        $"{schema}.{drop.Name}",
                        UpgradeFindingKind.Missing,
                        $"type \"{drop.Name}\" does not exist"
                    );
                    return false;
                case AlterEnumOperation alter when !model.HasEnum(schema, alter.Name):
                    Add(
                        operation,
                        $"{schema}.{alter.Name}",
                        UpgradeFindingKind.Missing,
                        $"type \"{alter.Name}\" does not exist"
                    );
                    return false;
                case DropIndexOperation drop when name is null:
                    if (!model.HasIndex(schema, drop.Name))
                    {
                        Add(
                            operation,
                            $"{schema}.{drop.Name}",
                            UpgradeFindingKind.Missing,
                            $"index \"{drop.Name}\" does not exist"
                        );
                    }

                    return false;
            }

            return null;
        }

        /// <summary>The checks of an operation on a table's columns; false when it is not one.</summary>
        private bool BeforeOnColumns(MigrationOperation operation, string schema, string name, TableModel table)
        {
            switch (operation)
            {
                case AddColumnOperation add:
                    if (table.Column(add.Column.Name) is not null)
                    {
                        Add(
                            operation,
                            $"{schema}.{name}.{add.Column.Name}",
                            UpgradeFindingKind.AlreadyExists,
                            $"column \"{add.Column.Name}\" of relation \"{name}\" already exists"
                        );
                    }
                    else if (
                        !add.Column.Nullable
                        && !add.Column.HasDefault
                        && !_created.Contains(new QualifiedName(schema, name))
                        && rows.Contains(new QualifiedName(schema, name))
                    )
                    {
                        Add(
                            operation,
                            $"{schema}.{name}.{add.Column.Name}",
                            UpgradeFindingKind.NotNullWithoutDefault,
                            $"column \"{add.Column.Name}\" of relation \"{name}\" contains null values: it is NOT "
                                + "NULL without a default and the table has rows"
                        );
                    }

                    break;
                case DropColumnOperation drop when table.Column(drop.Column) is null:
                    Add(
                        operation,
                        $"{schema}.{name}.{drop.Column}",
                        UpgradeFindingKind.Missing,
                        $"column \"{drop.Column}\" of relation \"{name}\" does not exist"
                    );
                    break;
                case AlterColumnOperation alter:
                    if (table.Column(alter.Column) is not { } column)
                    {
                        Add(
                            operation,
                            $"{schema}.{name}.{alter.Column}",
                            UpgradeFindingKind.Missing,
                            $"column \"{alter.Column}\" of relation \"{name}\" does not exist"
                        );
                    }
                    else if (
                        alter.NewType is { } type
                        && !alter.HasUsing
                        && !TypeCompatibility.CanCastAutomatically(column.Type, type)
                    )
                    {
                        Add(
                            operation,
                            $"{schema}.{name}.{alter.Column}",
                            UpgradeFindingKind.NoAutomaticCast,
                            $"column \"{alter.Column}\" cannot be cast automatically to type {type} (from "
                                + $"{column.Type}; the migration gives no postgresql_using)"
                        );
                    }

                    break;
                default:
                    return false;
            }

            return true;
        }

        /// <summary>The checks of an operation on a table's indexes, constraints or the table itself.</summary>
        private void BeforeOnTable(MigrationOperation operation, string schema, string name, TableModel table)
        {
            switch (operation)
            {
                case DropIndexOperation drop when table.Indexes.All(i => i.Name != drop.Name):
                    Add(
                        operation,
                        $"{schema}.{drop.Name}",
                        UpgradeFindingKind.Missing,
                        $"index \"{drop.Name}\" does not exist"
                    );
                    break;
                case CreateIndexOperation index:
                    if (
                        index.Index.Name is { } indexName
                        && (model.HasIndex(schema, indexName) || model.Find(schema, indexName) is not null)
                    )
                    {
                        Add(
                            operation,
                            $"{schema}.{indexName}",
                            UpgradeFindingKind.AlreadyExists,
                            $"relation \"{indexName}\" already exists"
                        );
                    }

                    MissingColumns(operation, table, index.Index.Columns.OfType<string>());
                    break;
                case CreateUniqueConstraintOperation unique:
                    if (
                        unique.Unique.Name is { } uniqueName
                        && (model.HasIndex(schema, uniqueName) || model.Find(schema, uniqueName) is not null)
                    )
                    {
                        Add(
                            operation,
                            $"{schema}.{uniqueName}",
                            UpgradeFindingKind.AlreadyExists,
                            $"relation \"{uniqueName}\" already exists"
                        );
                    }

                    MissingColumns(operation, table, unique.Unique.Columns);
                    break;
                case CreateForeignKeyOperation foreignKey:
                    if (foreignKey.ForeignKey.Name is { } fkName && table.ForeignKeys.Any(f => f.Name == fkName))
                    {
                        Add(
                            operation,
                            $"{schema}.{name}.{fkName}",
                            UpgradeFindingKind.AlreadyExists,
                            $"constraint \"{fkName}\" for relation \"{name}\" already exists"
                        );
                    }

                    MissingColumns(operation, table, foreignKey.ForeignKey.Columns);
                    break;
                case CreatePrimaryKeyOperation when table.PrimaryKey.Count > 0:
                    Add(
                        operation,
                        $"{schema}.{name}",
                        UpgradeFindingKind.AlreadyExists,
                        $"multiple primary keys for table \"{name}\" are not allowed"
                    );
                    break;
                case DropConstraintOperation drop
                    when drop.ConstraintType is "foreignkey" or "unique" or "primary"
                        && table.ForeignKeys.All(f => f.Name != drop.Name)
                        && table.Uniques.All(u => u.Name != drop.Name)
                        && table.PrimaryKeyName != drop.Name:
                    Add(
                        operation,
                        $"{schema}.{name}.{drop.Name}",
                        UpgradeFindingKind.Missing,
                        $"constraint \"{drop.Name}\" of relation \"{name}\" does not exist"
                    );
                    break;
                case RenameTableOperation rename when model.Find(schema, rename.NewName) is not null:
                    Add(
                        operation,
                        $"{schema}.{rename.NewName}",
                        UpgradeFindingKind.AlreadyExists,
                        $"relation \"{rename.NewName}\" already exists"
                    );
                    break;
                case DropTableOperation:
                    var dependents = model
                        .Tables.Where(t => !(t.Schema == schema && t.Name == name))
                        .SelectMany(t => t.ForeignKeys)
                        .Where(f => f.ReferencedSchema == schema && f.ReferencedTable == name)
                        .ToList();
                    if (dependents.Count > 0)
                    {
                        Add(
                            operation,
                            $"{schema}.{name}",
                            UpgradeFindingKind.HasDependents,
                            $"cannot drop table {name} because other objects depend on it: "
                                + string.Join(", ", dependents.Select(f => $"constraint {f.Name} on table {f.Table}"))
                        );
                    }

                    break;
            }
        }

        /// <summary>
        /// The checks on what the operation made: every foreign key it created or whose types it changed.
        /// </summary>
        private void After(MigrationOperation operation, string schema, TableModel? before)
        {
            var table = model.Find(
                schema,
                operation is RenameTableOperation rename ? rename.NewName : operation.Table!
            );
            if (table is null)
            {
                return;
            }

            var keys = table
                .ForeignKeys.Where(f =>
                    before is null || operation is CreateTableOperation || !before.ForeignKeys.Contains(f)
                )
                .ToList();
            if (operation is AlterColumnOperation { NewType: not null } alter)
            {
                var column = alter.NewName ?? alter.Column;
                keys.AddRange(table.ForeignKeys.Where(f => f.Columns.Contains(column)));
                keys.AddRange(
                    model
                        .Tables.SelectMany(t => t.ForeignKeys)
                        .Where(f =>
                            f.ReferencedSchema == schema
                            && f.ReferencedTable == table.Name
                            && f.ReferencedColumns.Contains(column)
                        )
                );
            }

            foreach (var key in keys.Distinct())
            {
                CheckForeignKey(operation, key);
            }
        }

        private void CheckForeignKey(MigrationOperation operation, ForeignKeyState key)
        {
            var owner = model.Find(key.Schema, key.Table)!;
            var referenced = model.Find(key.ReferencedSchema, key.ReferencedTable);
            var where = $"{key.Schema}.{key.Table}.{string.Join(",", key.Columns)}";
            if (referenced is null)
            {
                Add(
                    operation,
                    where,
                    UpgradeFindingKind.Missing,
                    $"relation \"{key.ReferencedTable}\" does not exist (referenced by foreign key {key.Name})"
                );
                return;
            }

            var missing = key.ReferencedColumns.Where(c => referenced.Column(c) is null).ToList();
            if (missing.Count > 0)
            {
                Add(
                    operation,
                    where,
                    UpgradeFindingKind.Missing,
                    $"column \"{missing[0]}\" referenced in foreign key constraint {key.Name} does not exist"
                );
                return;
            }

            if (!IsUniqueKey(referenced, key.ReferencedColumns))
            {
                Add(
                    operation,
                    where,
                    UpgradeFindingKind.NoUniqueKey,
                    $"there is no unique constraint matching given keys for referenced table \"{key.ReferencedTable}\""
                );
                return;
            }

            for (var i = 0; i < key.Columns.Count && i < key.ReferencedColumns.Count; i++)
            {
                var columnType = owner.Column(key.Columns[i])?.Type;
                var referencedType = referenced.Column(key.ReferencedColumns[i])!.Type;
                if (columnType is null or "unknown" || TypeCompatibility.CanReference(columnType, referencedType))
                {
                    continue;
                }

                findings.Add(
                    new UpgradeFinding
                    {
                        Revision = revision,
                        Line = operation.Line,
                        Operation = operation.ToString(),
                        Object = $"{key.Schema}.{key.Table}.{key.Columns[i]}",
                        Kind = UpgradeFindingKind.IncompatibleForeignKey,
                        Reason =
                            $"foreign key constraint \"{key.Name}\" cannot be implemented: key columns "
                            + $"\"{key.Columns[i]}\" and \"{key.ReferencedColumns[i]}\" are of incompatible types: "
                            + $"{columnType} and {referencedType}",
                        ReferencedSchema = key.ReferencedSchema,
                        ReferencedTable = key.ReferencedTable,
                        ReferencedColumn = key.ReferencedColumns[i],
                        ColumnType = columnType,
                        ReferencedType = referencedType,
                    }
                );
            }
        }

        private static bool IsUniqueKey(TableModel table, IReadOnlyList<string> columns)
        {
            bool Same(IEnumerable<string?> candidate) => candidate.Order().SequenceEqual(columns.Order());
            return Same(table.PrimaryKey)
                || table.Uniques.Any(u => Same(u.Columns))
                || table.Indexes.Any(i => i.IsUnique && i.Predicate is null && Same(i.Columns));
        }

        private void MissingColumns(MigrationOperation operation, TableModel table, IEnumerable<string> columns)
        {
            foreach (var column in columns.Where(c => table.Column(c) is null))
            {
                Add(
                    operation,
                    $"{table.Schema}.{table.Name}.{column}",
                    UpgradeFindingKind.Missing,
                    $"column \"{column}\" does not exist"
                );
            }
        }

        private void Add(MigrationOperation operation, string where, UpgradeFindingKind kind, string reason) =>
            findings.Add(
                new UpgradeFinding
                {
                    Revision = revision,
                    Line = operation.Line,
                    Operation = operation.ToString(),
                    Object = where,
                    Kind = kind,
                    Reason = reason,
                }
            );
    }
}
