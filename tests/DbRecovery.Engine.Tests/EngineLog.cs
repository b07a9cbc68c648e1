using System.Collections.Concurrent;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Tests;

/// <summary>Keeps everything the engine reports, so tests can assert on it.</summary>
internal sealed class EngineLog : IRecoveryLog
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public void Verbose(string message) => Messages.Enqueue("VERBOSE: " + message);

    public void Warning(string message) => Messages.Enqueue("WARNING: " + message);

    public void Progress(ProgressReport report) => Messages.Enqueue($"PROGRESS: {report.Activity} {report.Status}");

    public string All => string.Join(Environment.NewLine, Messages);
}
