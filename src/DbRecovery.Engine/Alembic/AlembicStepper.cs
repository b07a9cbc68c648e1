using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Real Alembic kept running in one Python process that upgrades a database one target at a time on request,
/// so a replay of a whole history pays Python's start-up and the project's imports once, not once a revision.
/// Between two requests the process waits, and the caller may read or empty the database.
/// </summary>
public sealed class AlembicStepper : IAsyncDisposable
{
    private const string Ok = "DBRECOVERY-OK";
    private const string Failed = "DBRECOVERY-FAILED";

    // Reads a target a line from standard input and answers on standard output with a marker line.
    private const string Driver = """
        import json, sys, traceback
        from alembic import command
        from alembic.config import Config
        config = Config(sys.argv[1])
        for line in sys.stdin:
            target = line.strip()
            if not target:
                break
            try:
                command.upgrade(config, target)
                print("DBRECOVERY-OK", flush=True)
            except BaseException:
                print("DBRECOVERY-FAILED " + json.dumps(traceback.format_exc()), flush=True)
        """;

    private readonly Process _process;
    private readonly IRecoveryLog _log;
    private readonly Func<string, string> _scrub;
    private readonly Task _errors;

    private AlembicStepper(Process process, IRecoveryLog log, Func<string, string> scrub)
    {
        _process = process;
        _log = log;
        _scrub = scrub;
        _errors = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                log.Verbose(scrub(line));
            }
        });
    }

    /// <summary>Starts Alembic's Python for <paramref name="cli"/>'s project with <paramref name="target"/>'s URL, as
    /// env.py expects it.</summary>
    /// <exception cref="RecoveryException">The interpreter cannot be started (<c>AlembicNotFound</c>).</exception>
    public static AlembicStepper Start(AlembicCli cli, ConnectionTarget target, IRecoveryLog log)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(log);
        var interpreter = cli.Interpreter();
        var start = new ProcessStartInfo(interpreter)
        {
            WorkingDirectory = Path.GetDirectoryName(cli.IniFile)!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Driver);
        start.ArgumentList.Add(cli.IniFile);
        start.Environment[cli.UrlVariable] = target.ToUrlWithPassword();
        log.Verbose(
            $"Running: {interpreter} -c <alembic upgrade, a revision at a time> {cli.IniFile} "
                + $"(database URL in ${cli.UrlVariable})"
        );
        try
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{interpreter} did not start");
            return new AlembicStepper(process, log, AlembicCli.Scrubber(target));
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            throw new RecoveryException(
                "AlembicNotFound",
                FailureKind.ObjectNotFound,
                $"Alembic could not be started as '{interpreter}' ({ex.Message}). "
                    + "Pass -AlembicCommand, e.g. -AlembicCommand /usr/bin/python3,-m,alembic.",
                interpreter,
                ex
            );
        }
    }

    /// <summary>Runs <c>alembic upgrade <paramref name="to"/></c>; returns null when it succeeded, else Alembic's
    /// error.</summary>
    /// <exception cref="RecoveryException">The Python process ended (<c>AlembicProcessEnded</c>).</exception>
    public async Task<string?> UpgradeAsync(string to, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(to.AsMemory(), cancellationToken).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            string? line;
            try
            {
                line = await _process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw;
            }

            if (line is null)
            {
                throw new RecoveryException(
                    "AlembicProcessEnded",
                    FailureKind.InvalidOperation,
                    $"Alembic's Python ended while upgrading to {to} "
                        + $"(exit code {(_process.HasExited ? _process.ExitCode : -1)}); see -Verbose.",
                    to
                );
            }

            if (line == Ok)
            {
                return null;
            }

            if (line.StartsWith(Failed + " ", StringComparison.Ordinal))
            {
                var trace = JsonSerializer.Deserialize<string>(line[(Failed.Length + 1)..]) ?? string.Empty;
                var lines = trace.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(_scrub).ToList();
                return AlembicCli.ErrorOf(new AlembicRun(1, lines));
            }

            _log.Verbose(_scrub(line));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync().ConfigureAwait(false);
                _process.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _errors.ConfigureAwait(false);
        _process.Dispose();
    }
}
