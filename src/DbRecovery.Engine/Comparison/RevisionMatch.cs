namespace DbRecovery.Engine.Comparison;

/// <summary>How well a live schema matches the schema a revision (or a set of heads) should have.</summary>
public sealed record RevisionMatch
{
    /// <summary>Rank among all candidates, from 1.</summary>
    public int Rank { get; init; }

    /// <summary>The revision, or several joined by commas for a set of heads.</summary>
    public required string Revision { get; init; }

    /// <summary>The revisions of this candidate (one, or the heads of a set).</summary>
    public IReadOnlyList<string> Revisions { get; init; } = [];

    /// <summary>
    /// Share of the tables, columns, keys, indexes and enum types of both schemas that match, 0 to 1: 1 only
    /// when the schema is exactly the revision's; an object both have but differently (a column's type, a
    /// key's ON DELETE, an enum's labels) counts half, so type-only drift lowers the score without derailing the
    /// ranking.
    /// </summary>
    public double Score { get; init; }

    /// <summary>Whether alembic_version names this candidate.</summary>
    public bool IsStamped { get; init; }

    /// <summary>Tables the revision defines that the database lacks.</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];

    /// <summary>Tables the database has that the revision does not define.</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>
    /// Columns, keys and indexes missing from, extra in or different in tables both have (types apart), and enum types
    /// that differ.
    /// </summary>
    public IReadOnlyList<SchemaDifference> ColumnDifferences { get; init; } = [];

    /// <summary>
    /// Columns that differ in type (for example uuid against character varying(36)); each lowers the score by half a
    /// column.
    /// </summary>
    public IReadOnlyList<SchemaDifference> TypeMismatches { get; init; } = [];

    /// <summary>Other revisions whose expected schema is identical to this one's, so equally likely.</summary>
    public IReadOnlyList<string> EquallyLikely { get; init; } = [];

    /// <summary>The revision's message.</summary>
    public string? Message { get; init; }

    /// <summary>
    /// The Alembic project the candidate comes from, so a state-changing cmdlet it is piped into needs no -Path.
    /// </summary>
    public string? ProjectPath { get; init; }

    /// <summary>Why this candidate ranks where it does, in a sentence or two.</summary>
    public required string Explanation { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"#{Rank} {Revision} ({Score:P1})";
}
