namespace DbRecovery.Engine.Catalog;

/// <summary>A row-level security policy.</summary>
public sealed record PolicyState
{
    /// <summary>The policy's name.</summary>
    public required string Name { get; init; }

    /// <summary>The command it applies to: ALL, SELECT, INSERT, UPDATE or DELETE.</summary>
    public required string Command { get; init; }

    /// <summary>Permissive (true) or restrictive (false).</summary>
    public bool IsPermissive { get; init; }

    /// <summary>Roles it applies to (<c>public</c> for everyone).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The <c>USING</c> expression.</summary>
    public string? Using { get; init; }

    /// <summary>The <c>WITH CHECK</c> expression.</summary>
    public string? WithCheck { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} FOR {Command}";
}
