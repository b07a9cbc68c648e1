namespace DbRecovery.Engine.Backup;

/// <summary>A backup written by Backup-Database.</summary>
public sealed record BackupInfo
{
    /// <summary>The backup folder.</summary>
    public required string Path { get; init; }

    /// <summary>The database dumped.</summary>
    public required string Database { get; init; }

    /// <summary>Total size of the files, in bytes.</summary>
    public long Size { get; init; }

    /// <summary>How many tables it holds.</summary>
    public int Tables { get; init; }

    /// <summary>How many rows, counted in the dump's snapshot.</summary>
    public long Rows { get; init; }

    /// <summary>How long the dump took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Whether Test-DatabaseBackup has proven it (false when just written).</summary>
    public bool Verified { get; init; }

    /// <inheritdoc />
    public override string ToString() => Path;
}
