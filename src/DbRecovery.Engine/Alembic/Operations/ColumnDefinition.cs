namespace DbRecovery.Engine.Alembic.Operations;

/// <summary>A column as a migration defines it, with its type mapped to PostgreSQL's spelling.</summary>
public sealed record ColumnDefinition
{
    /// <summary>The column's name.</summary>
    public required string Name { get; init; }

    /// <summary>The PostgreSQL type as <c>format_type</c> prints it, e.g. <c>character varying(36)</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Whether NULL is allowed.</summary>
    public bool Nullable { get; init; } = true;

    /// <summary>Whether it is (part of) the primary key.</summary>
    public bool PrimaryKey { get; init; }

    /// <summary>Whether it has a unique constraint of its own (<c>unique=True</c>).</summary>
    public bool Unique { get; init; }

    /// <summary>
    /// Whether it has an index of its own (<c>index=True</c>); with <see cref="Unique"/>, one unique index and no
    /// constraint.
    /// </summary>
    public bool Index { get; init; }

    /// <summary>
    /// Whether the column gets a value on its own (server_default or identity), so NOT NULL can be added to a table
    /// with rows.
    /// </summary>
    public bool HasDefault { get; init; }

    /// <summary>A column-level foreign key (<c>sa.ForeignKey</c>), if any.</summary>
    public ForeignKeyDefinition? ForeignKey { get; init; }

    /// <summary>The enum type of the column, when it is one SQLAlchemy creates (or expects to exist).</summary>
    public EnumDefinition? Enum { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Type}";
}
