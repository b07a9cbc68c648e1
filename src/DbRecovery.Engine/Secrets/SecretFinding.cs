namespace DbRecovery.Engine.Secrets;

/// <summary>
/// A secret found in a file or text. The secret itself is never kept: only a masked preview (its first
/// four characters) and a SHA-256 fingerprint to recognise it again.
/// </summary>
public sealed record SecretFinding
{
    /// <summary>The file (or the name given to piped text).</summary>
    public required string Path { get; init; }

    /// <summary>1-based line.</summary>
    public int Line { get; init; }

    /// <summary>1-based column where the secret starts.</summary>
    public int Column { get; init; }

    /// <summary>What kind of secret it is, e.g. <c>PostgresUrlPassword</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The first four characters of the secret and a mask.</summary>
    public required string Preview { get; init; }

    /// <summary>SHA-256 of the secret, lower-case hex.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Whether the fingerprint is among those already known (rotated).</summary>
    public bool IsKnown { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Path}:{Line}:{Column} {Kind} {Preview}";
}
