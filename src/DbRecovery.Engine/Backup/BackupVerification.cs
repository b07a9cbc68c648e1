namespace DbRecovery.Engine.Backup;

/// <summary>The proof (or not) that a backup restores and matches its manifest.</summary>
public sealed record BackupVerification
{
    /// <summary>The backup folder.</summary>
    public required string Path { get; init; }

    /// <summary>Whether every check passed.</summary>
    public bool Passed => Differences.Count == 0;

    /// <summary>What did not match: files, schema differences, row counts.</summary>
    public IReadOnlyList<string> Differences { get; init; } = [];

    /// <summary>How long the checks took.</summary>
    public TimeSpan Duration { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {(Passed ? "Passed" : $"{Differences.Count} differences")}";
}
