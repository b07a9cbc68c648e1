namespace DbRecovery.Engine.Diagnostics;

/// <summary>A log that discards everything, for callers that do not listen.</summary>
public sealed class NullRecoveryLog : IRecoveryLog
{
    /// <summary>The shared instance.</summary>
    public static readonly NullRecoveryLog Instance = new();

    private NullRecoveryLog() { }

    /// <inheritdoc />
    public void Verbose(string message) { }

    /// <inheritdoc />
    public void Warning(string message) { }

    /// <inheritdoc />
    public void Progress(ProgressReport report) { }
}
