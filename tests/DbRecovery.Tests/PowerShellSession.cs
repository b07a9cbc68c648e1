using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace DbRecovery.Tests;

/// <summary>A real PowerShell engine in this process with the built module imported, capturing every stream.</summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    /// <summary>
    /// What the host showed during the last <see cref="Run"/>: What if: lines and confirmation prompts.
    /// </summary>
    public RecordingHost Host { get; } = new();

    public PowerShellSession()
    {
        var state = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(Host, state);
        _runspace.Open();
        Run($"Import-Module '{RepositoryPaths.ModuleManifest}' -ErrorAction Stop").ThrowOnError();
    }

    public ScriptResult Run(string script, IDictionary<string, object?>? variables = null)
    {
        Host.Clear();
        Host.Answer = "No";
        using var shell = PowerShell.Create(_runspace);
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
        {
            _runspace.SessionStateProxy.SetVariable(name, value);
        }

        shell.AddScript(script);
        Collection<PSObject> output;
        Exception? terminating = null;
        try
        {
            output = shell.Invoke();
        }
        catch (RuntimeException ex)
        {
            output = [];
            terminating = ex;
        }

        return new ScriptResult(
            output.ToList(),
            shell.Streams.Error.ToList(),
            shell.Streams.Warning.Select(w => w.Message).ToList(),
            shell.Streams.Verbose.Select(v => v.Message).ToList(),
            shell.Streams.Debug.Select(d => d.Message).ToList(),
            shell.Streams.Information.Select(i => i.ToString()).ToList(),
            shell.Streams.Progress.ToList(),
            terminating
        );
    }

    /// <summary>
    /// Runs <paramref name="script"/> and stops it after <paramref name="after"/>, as Ctrl+C does; returns what it
    /// wrote and how it ended.
    /// </summary>
    public (IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, Exception? Ended) RunAndStop(
        string script,
        TimeSpan after,
        IDictionary<string, object?>? variables = null
    )
    {
        using var shell = PowerShell.Create(_runspace);
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
        {
            _runspace.SessionStateProxy.SetVariable(name, value);
        }

        shell.AddScript(script);
        var output = new PSDataCollection<PSObject>();
        var running = shell.BeginInvoke<PSObject, PSObject>(null, output);
        Thread.Sleep(after);
        shell.Stop();
        Exception? ended = null;
        try
        {
            shell.EndInvoke(running);
        }
        catch (RuntimeException ex)
        {
            ended = ex;
        }

        return (output.ToList(), shell.Streams.Error.ToList(), ended);
    }

    public void Dispose() => _runspace.Dispose();
}

public sealed record ScriptResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose,
    IReadOnlyList<string> Debug,
    IReadOnlyList<string> Information,
    IReadOnlyList<ProgressRecord> Progress,
    Exception? Terminating
)
{
    /// <summary>The errors, terminating one included, as ErrorRecords.</summary>
    public IEnumerable<ErrorRecord> AllErrors =>
        Terminating is IContainsErrorRecord { ErrorRecord: { } record } ? Errors.Append(record) : Errors;

    /// <summary>Every stream as one text, for scanning for secrets.</summary>
    public string AllText =>
        string.Join(
            '\n',
            Output
                .Select(o => o.ToString())
                .Concat(
                    AllErrors.SelectMany(e =>
                        new[]
                        {
                            e.ToString(),
                            e.Exception.ToString(),
                            e.ErrorDetails?.Message ?? string.Empty,
                            e.TargetObject?.ToString() ?? string.Empty,
                        }
                    )
                )
                .Concat(Warnings)
                .Concat(Verbose)
                .Concat(Debug)
                .Concat(Information)
                .Concat(Progress.Select(p => p.Activity + " " + p.StatusDescription))
                .Concat(Terminating is null ? [] : [Terminating.ToString()])
        );

    public ScriptResult ThrowOnError()
    {
        var first = AllErrors.FirstOrDefault();
        return first is null ? this : throw new InvalidOperationException("Script failed: " + first, first.Exception);
    }

    public ErrorRecord SingleError() => Assert.Single(AllErrors);
}
