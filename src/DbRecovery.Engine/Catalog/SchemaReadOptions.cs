namespace DbRecovery.Engine.Catalog;

/// <summary>What <see cref="SchemaReader"/> captures.</summary>
public sealed record SchemaReadOptions
{
    /// <summary>Schemas to capture (system schemas are always excluded).</summary>
    public IReadOnlyList<SchemaPattern> Schemas { get; init; } = [SchemaPattern.All];

    /// <summary>
    /// The Alembic version table, optionally schema-qualified (<c>schema.table</c>); unqualified names follow
    /// <c>search_path</c> as Alembic does.
    /// </summary>
    public string VersionTable { get; init; } = "alembic_version";
}
