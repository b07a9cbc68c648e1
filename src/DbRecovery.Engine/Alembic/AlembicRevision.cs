using DbRecovery.Engine.Alembic.Operations;

namespace DbRecovery.Engine.Alembic;

/// <summary>One revision of an Alembic history, read from its migration file.</summary>
public sealed record AlembicRevision
{
    /// <summary>The revision id.</summary>
    public required string Revision { get; init; }

    /// <summary>The revisions it follows (two or more for a merge; empty for a base).</summary>
    public IReadOnlyList<string> DownRevisions { get; init; } = [];

    /// <summary>Branch labels.</summary>
    public IReadOnlyList<string> BranchLabels { get; init; } = [];

    /// <summary>Revisions it depends on without following them.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>The first line of the docstring.</summary>
    public string? Message { get; init; }

    /// <summary>The docstring's Create Date.</summary>
    public DateTime? CreateDate { get; init; }

    /// <summary>Whether no revision follows it.</summary>
    public bool IsHead { get; init; }

    /// <summary>Whether it follows no revision.</summary>
    public bool IsBase { get; init; }

    /// <summary>Whether it merges branches.</summary>
    public bool IsMerge => DownRevisions.Count > 1;

    /// <summary>Whether several revisions follow it.</summary>
    public bool IsBranchPoint { get; init; }

    /// <summary>The migration file.</summary>
    public required string Path { get; init; }

    /// <summary>The operations of <c>upgrade()</c>, read statically.</summary>
    public IReadOnlyList<MigrationOperation> Operations { get; init; } = [];

    /// <summary>
    /// How many operations (including unrecognised <c>op.execute</c> SQL) the static replay cannot apply.
    /// </summary>
    public int OpaqueOperations =>
        Operations.Count(o => o is OpaqueOperation or ExecuteOperation { HasOpaqueParts: true });

    /// <summary>What could not be read from the file.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"{Revision} {Message}";
}
