namespace DbRecovery.Engine.Comparison;

/// <summary>What kind of difference a <see cref="SchemaDifference"/> is.</summary>
public enum DifferenceKind
{
    /// <summary>A table expected but absent.</summary>
    MissingTable,

    /// <summary>A table present but not expected.</summary>
    ExtraTable,

    /// <summary>A column expected but absent.</summary>
    MissingColumn,

    /// <summary>A column present but not expected.</summary>
    ExtraColumn,

    /// <summary>A column whose type differs.</summary>
    TypeMismatch,

    /// <summary>A column whose nullability differs.</summary>
    NullabilityMismatch,

    /// <summary>A foreign key expected but absent.</summary>
    MissingForeignKey,

    /// <summary>A foreign key present but not expected.</summary>
    ExtraForeignKey,

    /// <summary>A foreign key on the same columns that differs in target or actions.</summary>
    ForeignKeyMismatch,

    /// <summary>An index expected but absent.</summary>
    MissingIndex,

    /// <summary>An index present but not expected.</summary>
    ExtraIndex,

    /// <summary>An index of the same name that differs in columns, uniqueness, method or predicate.</summary>
    IndexMismatch,

    /// <summary>A table whose primary key is on other columns, or missing, or not expected.</summary>
    PrimaryKeyMismatch,

    /// <summary>An enum type expected but absent.</summary>
    MissingEnum,

    /// <summary>An enum type present but not expected.</summary>
    ExtraEnum,

    /// <summary>An enum type whose labels differ (in set or order).</summary>
    EnumMismatch,
}
