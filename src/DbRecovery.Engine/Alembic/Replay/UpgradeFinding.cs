namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>One operation of a pending revision that would fail on the database, or cannot be predicted.</summary>
public sealed record UpgradeFinding
{
    /// <summary>The revision the operation belongs to.</summary>
    public required string Revision { get; init; }

    /// <summary>The line of the migration file (0 when not known).</summary>
    public int Line { get; init; }

    /// <summary>The operation, e.g. <c>create_table folders</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>The object concerned, e.g. <c>public.folders.owner_id</c>.</summary>
    public required string Object { get; init; }

    /// <summary>Why it fails.</summary>
    public required UpgradeFindingKind Kind { get; init; }

    /// <summary>The reason in PostgreSQL's own terms.</summary>
    public required string Reason { get; init; }

    /// <summary>For an incompatible foreign key: the referenced table's schema.</summary>
    public string? ReferencedSchema { get; init; }

    /// <summary>For an incompatible foreign key: the referenced table.</summary>
    public string? ReferencedTable { get; init; }

    /// <summary>For an incompatible foreign key: the referenced column.</summary>
    public string? ReferencedColumn { get; init; }

    /// <summary>For an incompatible foreign key: the type the migration gives the referencing column.</summary>
    public string? ColumnType { get; init; }

    /// <summary>For an incompatible foreign key: the referenced key's type in the database.</summary>
    public string? ReferencedType { get; init; }

    /// <summary>For a failure of real Alembic: PostgreSQL's SQLSTATE, when the error names it.</summary>
    public string? SqlState { get; init; }

    /// <summary>Whether the upgrade fails because of it (an unpredictable revision does not, by itself).</summary>
    public bool IsBlocking => Kind != UpgradeFindingKind.Unpredictable;

    /// <inheritdoc />
    public override string ToString() => $"{Revision} {Operation}: {Reason}";
}
