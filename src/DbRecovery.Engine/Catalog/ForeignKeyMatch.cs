namespace DbRecovery.Engine.Catalog;

/// <summary>The <c>MATCH</c> type of a foreign key.</summary>
public enum ForeignKeyMatch
{
    /// <summary><c>MATCH SIMPLE</c> (the default).</summary>
    Simple,

    /// <summary><c>MATCH FULL</c>.</summary>
    Full,

    /// <summary><c>MATCH PARTIAL</c> (not implemented by PostgreSQL, kept for completeness).</summary>
    Partial,
}
