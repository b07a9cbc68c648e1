namespace DbRecovery.Engine.Catalog;

/// <summary>A primary key, unique, check or exclusion constraint.</summary>
public sealed record ConstraintState
{
    /// <summary>The constraint's name.</summary>
    public required string Name { get; init; }

    /// <summary>What kind of constraint it is.</summary>
    public ConstraintType Type { get; init; }

    /// <summary>The columns it covers, in order (empty for a check on an expression only).</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>The definition as <c>pg_get_constraintdef</c> prints it.</summary>
    public required string Definition { get; init; }

    /// <summary>Whether the constraint is deferrable.</summary>
    public bool IsDeferrable { get; init; }

    /// <summary>Whether the constraint is initially deferred.</summary>
    public bool IsInitiallyDeferred { get; init; }

    /// <summary>Whether existing rows were checked (false for <c>NOT VALID</c>).</summary>
    public bool IsValidated { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Definition}";
}
