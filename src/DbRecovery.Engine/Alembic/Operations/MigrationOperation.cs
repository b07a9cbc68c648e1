using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic.Operations;

/// <summary>One operation of a migration's <c>upgrade()</c>, as read statically from its source.</summary>
public abstract record MigrationOperation
{
    /// <summary>Short name of the operation, e.g. <c>create_table</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The schema of the table it works on, when given.</summary>
    public string? Schema { get; init; }

    /// <summary>The table it works on (null for opaque operations).</summary>
    public string? Table { get; init; }

    /// <summary>1-based line in the migration file.</summary>
    public int Line { get; init; }

    /// <summary>The operation in a few words, e.g. <c>create_table folders</c>.</summary>
    public virtual string Summary => Table is null ? Kind : $"{Kind} {Table}";

    /// <inheritdoc />
    public sealed override string ToString() => Summary;
}

/// <summary><c>op.create_table</c> (or an equivalent <c>CREATE TABLE</c> in <c>op.execute</c>).</summary>
public sealed record CreateTableOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "create_table";

    /// <summary>Columns in order.</summary>
    public IReadOnlyList<ColumnDefinition> Columns { get; init; } = [];

    /// <summary>Table-level foreign keys (column-level ones are on the columns).</summary>
    public IReadOnlyList<ForeignKeyDefinition> ForeignKeys { get; init; } = [];

    /// <summary>
    /// Primary key columns, from the columns' <c>primary_key=True</c> or a <c>PrimaryKeyConstraint</c>.
    /// </summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>The primary key's name, when a <c>PrimaryKeyConstraint</c> gives one.</summary>
    public string? PrimaryKeyName { get; init; }

    /// <summary>Table-level unique constraints (column-level ones are on the columns).</summary>
    public IReadOnlyList<UniqueDefinition> Uniques { get; init; } = [];

    /// <summary>
    /// Indexes given as <c>sa.Index</c> items (column-level <c>index=True</c> ones are on the columns).
    /// </summary>
    public IReadOnlyList<IndexDefinition> Indexes { get; init; } = [];
}

/// <summary><c>op.drop_table</c>.</summary>
public sealed record DropTableOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "drop_table";
}

/// <summary><c>op.rename_table</c>.</summary>
public sealed record RenameTableOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "rename_table";

    /// <summary>The new name.</summary>
    public required string NewName { get; init; }
}

/// <summary><c>op.add_column</c>.</summary>
public sealed record AddColumnOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "add_column";

    /// <summary>The column added.</summary>
    public required ColumnDefinition Column { get; init; }
}

/// <summary><c>op.drop_column</c>.</summary>
public sealed record DropColumnOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "drop_column";

    /// <summary>The column dropped.</summary>
    public required string Column { get; init; }
}

/// <summary><c>op.alter_column</c>: type, nullability and/or name.</summary>
public sealed record AlterColumnOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "alter_column";

    /// <summary>The column altered.</summary>
    public required string Column { get; init; }

    /// <summary>The new type, when changed.</summary>
    public string? NewType { get; init; }

    /// <summary>The new nullability, when changed.</summary>
    public bool? Nullable { get; init; }

    /// <summary>The new name, when renamed.</summary>
    public string? NewName { get; init; }

    /// <summary>Whether the type change says how to convert (<c>postgresql_using</c>).</summary>
    public bool HasUsing { get; init; }
}

/// <summary><c>op.create_index</c>.</summary>
public sealed record CreateIndexOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "create_index";

    /// <summary>The index.</summary>
    public required IndexDefinition Index { get; init; }
}

/// <summary><c>op.drop_index</c>.</summary>
public sealed record DropIndexOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "drop_index";

    /// <summary>The index name.</summary>
    public required string Name { get; init; }
}

/// <summary><c>op.create_foreign_key</c>.</summary>
public sealed record CreateForeignKeyOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "create_foreign_key";

    /// <summary>The foreign key.</summary>
    public required ForeignKeyDefinition ForeignKey { get; init; }
}

/// <summary><c>op.create_unique_constraint</c>.</summary>
public sealed record CreateUniqueConstraintOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "create_unique_constraint";

    /// <summary>The constraint.</summary>
    public required UniqueDefinition Unique { get; init; }
}

/// <summary><c>op.create_primary_key</c>.</summary>
public sealed record CreatePrimaryKeyOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "create_primary_key";

    /// <summary>The constraint name, when given.</summary>
    public string? Name { get; init; }

    /// <summary>The columns.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];
}

/// <summary><c>op.drop_constraint</c>.</summary>
public sealed record DropConstraintOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "drop_constraint";

    /// <summary>The constraint name.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The <c>type_</c> given (<c>primary</c>, <c>foreignkey</c>, <c>unique</c>, <c>check</c>), when given.
    /// </summary>
    public string? ConstraintType { get; init; }
}

/// <summary><c>CREATE TYPE … AS ENUM</c> in <c>op.execute</c>.</summary>
public sealed record CreateEnumOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "create_enum";

    /// <summary>The type.</summary>
    public required EnumDefinition Enum { get; init; }

    /// <inheritdoc />
    public override string Summary => $"{Kind} {Enum.Name}";
}

/// <summary>
/// <c>ALTER TYPE … RENAME TO</c> in <c>op.execute</c>: the type, and the columns of that type, take the new name.
/// </summary>
public sealed record RenameEnumOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "rename_enum";

    /// <summary>The type's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its new name.</summary>
    public required string NewName { get; init; }

    /// <inheritdoc />
    public override string Summary => $"{Kind} {Name} to {NewName}";
}

/// <summary><c>ALTER TYPE … ADD VALUE</c> or <c>RENAME VALUE</c> in <c>op.execute</c>.</summary>
public sealed record AlterEnumOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "alter_enum";

    /// <summary>The type's name.</summary>
    public required string Name { get; init; }

    /// <summary>The label added, or the new name of a renamed label.</summary>
    public required string Label { get; init; }

    /// <summary>For RENAME VALUE: the label renamed.</summary>
    public string? RenamedFrom { get; init; }

    /// <summary>For ADD VALUE BEFORE/AFTER: the neighbouring label.</summary>
    public string? Neighbour { get; init; }

    /// <summary>Whether the label goes before <see cref="Neighbour"/> (after it otherwise).</summary>
    public bool Before { get; init; }

    /// <inheritdoc />
    public override string Summary => $"{Kind} {Name}";
}

/// <summary><c>DROP TYPE</c> in <c>op.execute</c>.</summary>
public sealed record DropEnumOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "drop_enum";

    /// <summary>The type's name.</summary>
    public required string Name { get; init; }

    /// <inheritdoc />
    public override string Summary => $"{Kind} {Name}";
}

/// <summary>
/// <c>op.execute</c>: the SQL, and the DDL recognised in it (replayed like the equivalent operations).
/// </summary>
public sealed record ExecuteOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "execute";

    /// <summary>The SQL as written, or null when it is not a literal.</summary>
    public string? Sql { get; init; }

    /// <summary>The statements recognised as DDL, as operations.</summary>
    public IReadOnlyList<MigrationOperation> Recognized { get; init; } = [];

    /// <summary>Whether some of the SQL could not be recognised.</summary>
    public bool HasOpaqueParts { get; init; }
}

/// <summary>A statement the static reader does not model; the replay skips it.</summary>
public sealed record OpaqueOperation : MigrationOperation
{
    /// <inheritdoc />
    public override string Kind => "opaque";

    /// <summary>What was found, e.g. the call's name.</summary>
    public required string Description { get; init; }

    /// <summary>What it may change when it is a schema change the reader cannot tell whether (or to what) it applies:
    /// those parts of the table it names (of every table, when it names none) are then unknown to the replay.</summary>
    public UnknownParts Changes { get; init; }

    /// <summary>The operation the reader understood but cannot tell whether it runs, when there is one.</summary>
    public MigrationOperation? Possible { get; init; }

    /// <inheritdoc />
    public override string Summary => $"opaque {Description} (line {Line})";
}
