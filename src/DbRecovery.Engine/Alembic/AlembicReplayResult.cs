using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic;

/// <summary>What an <see cref="AlembicReplay"/> produced.</summary>
/// <param name="Schemas">The exact schema after each revision that upgraded.</param>
/// <param name="Failures">Alembic's error for each revision whose upgrade failed.</param>
public sealed record AlembicReplayResult(
    IReadOnlyDictionary<string, SchemaState> Schemas,
    IReadOnlyDictionary<string, string> Failures
);
