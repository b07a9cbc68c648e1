using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Plans;

/// <summary>An index built CONCURRENTLY: online, outside any transaction, so writes go on while it is built.</summary>
public sealed record IndexBuildStep : SqlStep
{
    /// <summary>
    /// The index it builds; an invalid one left by an interrupted build is dropped before it is built again.
    /// </summary>
    public required QualifiedName Index { get; init; }

    /// <inheritdoc />
    public override bool Transactional => false;
}
