namespace DbRecovery.Engine.Catalog;

/// <summary>Kinds of table constraints other than foreign keys.</summary>
public enum ConstraintType
{
    /// <summary>A primary key.</summary>
    PrimaryKey,

    /// <summary>A unique constraint.</summary>
    Unique,

    /// <summary>A check constraint.</summary>
    Check,

    /// <summary>An exclusion constraint.</summary>
    Exclusion,
}
