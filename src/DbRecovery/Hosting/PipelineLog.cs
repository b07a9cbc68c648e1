using System.Collections.Concurrent;
using System.Management.Automation;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Hosting;

/// <summary>
/// The engine's <see cref="IRecoveryLog"/> for a cmdlet. The engine reports from any thread; the
/// messages queue here and <see cref="Pump"/> writes them on the pipeline thread, the only thread
/// PowerShell lets write. Secrets the cmdlet knows are masked before anything is written.
/// </summary>
internal sealed class PipelineLog : IRecoveryLog
{
    private readonly BlockingCollection<Action<Cmdlet>> _pending = new();
    private readonly ConcurrentDictionary<string, bool> _warned;
    private readonly SecretMask _mask;
    private readonly int _activityId;

    /// <param name="mask">The secrets to mask.</param>
    /// <param name="activityId">The progress activity.</param>
    /// <param name="warned">The warnings the command already wrote (one set for all its work).</param>
    public PipelineLog(SecretMask mask, int activityId, ConcurrentDictionary<string, bool> warned)
    {
        _mask = mask;
        _activityId = activityId;
        _warned = warned;
    }

    /// <summary>Whether any progress was reported, so the cmdlet knows to complete it.</summary>
    public bool WroteProgress { get; private set; }

    public void Verbose(string message)
    {
        var masked = _mask.Apply(message);
        _pending.Add(c => c.WriteVerbose(masked));
    }

    /// <summary>Writes a warning the command has not written yet.</summary>
    public void Warning(string message)
    {
        var masked = _mask.Apply(message);
        if (_warned.TryAdd(masked, true))
        {
            _pending.Add(c => c.WriteWarning(masked));
        }
    }

    public void Progress(ProgressReport report)
    {
        var record = new ProgressRecord(_activityId, _mask.Apply(report.Activity), _mask.Apply(report.Status))
        {
            PercentComplete = report.PercentComplete,
            SecondsRemaining = report.SecondsRemaining ?? -1,
        };
        _pending.Add(c =>
        {
            WroteProgress = true;
            c.WriteProgress(record);
        });
    }

    /// <summary>
    /// Writes queued messages on the calling (pipeline) thread until <paramref name="work"/> completes.
    /// </summary>
    public void Pump(Cmdlet cmdlet, Task work)
    {
        while (!work.IsCompleted)
        {
            if (_pending.TryTake(out var write, 50))
            {
                write(cmdlet);
            }
        }

        while (_pending.TryTake(out var write))
        {
            write(cmdlet);
        }
    }
}
