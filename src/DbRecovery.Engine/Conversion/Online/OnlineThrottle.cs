namespace DbRecovery.Engine.Conversion.Online;

/// <summary>How hard the backfill of an online conversion may press on the server.</summary>
/// <param name="BatchSize">About how many rows one backfill transaction updates (and locks, briefly).</param>
/// <param name="BatchDelay">The pause after each batch.</param>
/// <param name="MaxLagSeconds">The backfill waits while a streaming replica replays more than this many seconds
/// behind.</param>
/// <param name="Jobs">How many sessions backfill a table at once.</param>
public sealed record OnlineThrottle(
    int BatchSize = OnlineThrottle.DefaultBatchSize,
    TimeSpan BatchDelay = default,
    double MaxLagSeconds = OnlineThrottle.DefaultMaxLagSeconds,
    int Jobs = OnlineThrottle.DefaultJobs
)
{
    /// <summary>
    /// The default sessions a backfill: two, which on a small server already doubles its speed without starving the
    /// application.
    /// </summary>
    public const int DefaultJobs = 2;

    /// <summary>The default rows a batch.</summary>
    public const int DefaultBatchSize = 5000;

    /// <summary>The default replica lag, in seconds, beyond which the backfill waits.</summary>
    public const double DefaultMaxLagSeconds = 10;

    /// <summary>About how many rows one backfill transaction updates; at least 1.</summary>
    public int BatchSize { get; init; } =
        BatchSize >= 1
            ? BatchSize
            : throw new ArgumentOutOfRangeException(nameof(BatchSize), "A batch holds at least one row.");

    /// <summary>How many sessions backfill a table at once; at least 1.</summary>
    public int Jobs { get; init; } =
        Jobs >= 1
            ? Jobs
            : throw new ArgumentOutOfRangeException(nameof(Jobs), "A backfill needs at least one session.");
}
