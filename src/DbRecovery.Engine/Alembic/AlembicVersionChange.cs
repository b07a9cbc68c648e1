namespace DbRecovery.Engine.Alembic;

/// <summary>What <c>Set-AlembicVersion</c> changed.</summary>
public sealed record AlembicVersionChange
{
    /// <summary>The database, without the password.</summary>
    public required string Target { get; init; }

    /// <summary>The version table.</summary>
    public required string VersionTable { get; init; }

    /// <summary>The rows before.</summary>
    public IReadOnlyList<string> Previous { get; init; } = [];

    /// <summary>The rows after.</summary>
    public IReadOnlyList<string> Current { get; init; } = [];

    /// <summary>Whether the schema check was overridden with -Force.</summary>
    public bool Forced { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{string.Join(",", Previous)} -> {string.Join(",", Current)}";
}
