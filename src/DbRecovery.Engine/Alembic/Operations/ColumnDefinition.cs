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

    /// <summary>Whether it has a unique constraint of its own.</summary>
    public bool Unique { get; init; }

    /// <summary>A column-level foreign key (<c>sa.ForeignKey</c>), if any.</summary>
    public ForeignKeyDefinition? ForeignKey { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Type}";
}
