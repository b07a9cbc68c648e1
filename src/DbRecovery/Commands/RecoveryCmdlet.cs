using System.Management.Automation;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Hosting;

namespace DbRecovery.Commands;

/// <summary>
/// Base of every DbRecovery cmdlet: runs engine work off the pipeline thread while writing its
/// messages on it, cancels it on Ctrl+C, and turns failures into ErrorRecords with secrets masked.
/// </summary>
public abstract class RecoveryCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>Secrets this invocation knows of; masked in everything it writes.</summary>
    internal SecretMask Mask { get; } = new();

    /// <summary>
    /// The scratch database given with -ScratchConnectionString, or null; its password is masked from then on.
    /// </summary>
    internal ConnectionTarget? OptionalScratch(string? connectionString)
    {
        var scratch = connectionString is null ? null : ConnectionTarget.Parse(connectionString);
        Mask.Add(scratch?.Password);
        return scratch;
    }

    /// <summary>
    /// The scratch database <paramref name="needer"/> needs, or an error that says so; its password is masked from then
    /// on.
    /// </summary>
    internal ConnectionTarget RequiredScratch(string? connectionString, string needer)
    {
        var scratch = ConnectionTarget.ParseScratch(connectionString, needer);
        Mask.Add(scratch.Password);
        return scratch;
    }

    /// <summary>
    /// The progress activity id of this cmdlet: stable across runs, and distinct between cmdlets (FNV-1a of its name).
    /// </summary>
    protected int ActivityId =>
        (int)(GetType().Name.Aggregate(2166136261u, (hash, c) => (hash ^ c) * 16777619u) & 0x7FFFFFFF);

    /// <inheritdoc />
    public void Dispose()
    {
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    // The warnings this command wrote: the engine may meet one fact several times (planning, the rehearsal, the
    // database), and a warning repeated says nothing new.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _warned = new(
        StringComparer.Ordinal
    );

    /// <summary>How long a stopped command waits for the engine to clean up.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs engine work, pumping its verbose, warning and progress messages to this cmdlet's streams.
    /// </summary>
    /// <exception cref="RecoveryException">The work failed.</exception>
    /// <exception cref="PipelineStoppedException">The user pressed Ctrl+C (or the pipeline was stopped): a
    /// cancellation, never a failure.</exception>
    protected T Run<T>(Func<IRecoveryLog, CancellationToken, Task<T>> work)
    {
        var log = new PipelineLog(Mask, ActivityId, _warned);
        var task = Task.Run(() => work(log, _cancellation.Token), _cancellation.Token);
        try
        {
            log.Pump(this, task);
            return task.GetAwaiter().GetResult();
        }
        catch (Exception) when (_cancellation.IsCancellationRequested)
        {
            // The engine has been told to stop; it puts back what it changed (a scratch database it filled, a
            // transaction it opened) before the pipeline ends, so the next command finds things as they were.
            try
            {
                task.Wait(StopGrace);
            }
            catch (AggregateException) { }

            throw new PipelineStoppedException();
        }
        finally
        {
            if (log.WroteProgress)
            {
                WriteProgress(
                    new ProgressRecord(ActivityId, MyInvocation.MyCommand.Name, "Done")
                    {
                        RecordType = ProgressRecordType.Completed,
                    }
                );
            }
        }
    }

    /// <summary>A PowerShell path (relative, ~, PSDrive) as a file-system path.</summary>
    protected string FileSystemPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>
    /// The folder given with -PgBinPath as a file-system path (relative to the current location), or null.
    /// </summary>
    protected string? PgBinFolder(string? pgBinPath) => pgBinPath is null ? null : FileSystemPath(pgBinPath);

    /// <summary>
    /// The bound parameters as text for the journal; connection strings and credentials are left out.
    /// </summary>
    protected IReadOnlyDictionary<string, string> JournalParameters() =>
        MyInvocation
            .BoundParameters.Where(p => p.Key is not ("ConnectionString" or "Credential" or "ScratchConnectionString"))
            .ToDictionary(
                p => p.Key,
                p =>
                    Mask.Apply(
                        p.Value is System.Collections.IEnumerable list and not string
                            ? string.Join(",", list.Cast<object>())
                            : Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)
                                ?? string.Empty
                    )
            );

    /// <summary>
    /// ShouldProcess with its three texts; on a host that cannot prompt (-NonInteractive) it fails with
    /// ConfirmationNotPossible.
    /// </summary>
    protected bool ShouldChange(string whatIf, string question, string caption) =>
        Confirmed(() => ShouldProcess(whatIf, question, caption));

    /// <summary>
    /// ShouldProcess of an action on a target; on a host that cannot prompt it fails with ConfirmationNotPossible.
    /// </summary>
    protected bool ShouldChange(string target, string action) => Confirmed(() => ShouldProcess(target, action));

    private bool Confirmed(Func<bool> shouldProcess)
    {
        try
        {
            return shouldProcess();
        }
        catch (PSInvalidOperationException ex)
        {
            // ShouldProcess throws this only when it must prompt and the host cannot.
            throw new RecoveryException(
                "ConfirmationNotPossible",
                FailureKind.InvalidOperation,
                $"{MyInvocation.MyCommand.Name} asks to confirm before it changes anything, and this PowerShell "
                    + "cannot prompt (-NonInteractive). Nothing was changed. Pass -Confirm:$false to run it "
                    + "unattended, or -WhatIf to see what it would do.",
                null,
                ex
            );
        }
    }

    /// <summary>Writes a non-terminating error for one failed input and lets the pipeline go on.</summary>
    protected void WriteFailure(Exception exception, object? target) =>
        WriteError(ErrorRecords.From(exception, Mask, target));

    /// <summary>Stops the cmdlet with a terminating error.</summary>
    protected void ThrowFailure(Exception exception, object? target) =>
        ThrowTerminatingError(ErrorRecords.From(exception, Mask, target));

    /// <summary>
    /// The cmdlets' one error boundary: runs <paramref name="work"/>, and turns any failure into a terminating
    /// ErrorRecord with a stable ErrorId, the secrets masked, naming <paramref name="target"/> (evaluated only then). A
    /// stopped pipeline (Ctrl+C) stays a stop.
    /// </summary>
    protected void Guarded(Action work, Func<object?> target)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            work();
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowFailure(ex, target());
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _cancellation.Cancel();
}
