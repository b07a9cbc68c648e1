namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>Why an operation of a pending revision would fail here, or why it cannot be told.</summary>
public enum UpgradeFindingKind
{
    /// <summary>A foreign key whose column type has no equality operator with the referenced key's type.</summary>
    IncompatibleForeignKey,

    /// <summary>A foreign key to columns without a primary key or unique constraint.</summary>
    NoUniqueKey,

    /// <summary>A table, column, index, constraint or type the operation creates already exists.</summary>
    AlreadyExists,

    /// <summary>A table, column, index or constraint the operation needs does not exist.</summary>
    Missing,

    /// <summary>A table dropped while foreign keys of other tables still reference it.</summary>
    HasDependents,

    /// <summary>A NOT NULL column without a default added to a table that has rows.</summary>
    NotNullWithoutDefault,

    /// <summary>A type change PostgreSQL cannot make without USING.</summary>
    NoAutomaticCast,

    /// <summary>SQL or Python whose effect on this database cannot be predicted without running it.</summary>
    Unpredictable,

    /// <summary>The revision failed when real Alembic ran it on a copy of the schema.</summary>
    Failed,
}
