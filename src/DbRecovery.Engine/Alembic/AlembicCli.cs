using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Processes;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Runs the real Alembic command line for a project. The database URL reaches Alembic only through an
/// environment variable (never the command line), and every output line is scrubbed of the password.
/// </summary>
/// <param name="Command">The command: <c>alembic</c>, or e.g. <c>/usr/bin/python3 -m alembic</c>.</param>
/// <param name="IniFile">The project's alembic.ini.</param>
/// <param name="UrlVariable">The environment variable the project's env.py reads the URL from.</param>
public sealed partial record AlembicCli(
    IReadOnlyList<string> Command,
    string IniFile,
    string UrlVariable = "DATABASE_URL"
)
{
    /// <summary>The CLI for the project at <paramref name="path"/>, which must have an alembic.ini.</summary>
    /// <exception cref="RecoveryException">The project has no alembic.ini (<c>AlembicIniNotFound</c>).</exception>
    public static AlembicCli For(string path, IReadOnlyList<string> command, string urlVariable)
    {
        var project = AlembicProject.Locate(path);
        return project.IniFile is null
            ? throw new RecoveryException(
                "AlembicIniNotFound",
                FailureKind.ObjectNotFound,
                $"'{path}' has no alembic.ini; running Alembic needs one. "
                    + "Give -Path the folder that holds alembic.ini.",
                path
            )
            : new AlembicCli(command, project.IniFile, urlVariable);
    }

    /// <summary>
    /// Runs <c>alembic -c ini ARGS</c> against <paramref name="target"/>, reporting each output line.
    /// </summary>
    /// <returns>The exit code and the output (standard output and error, scrubbed).</returns>
    public Task<AlembicRun> RunAsync(
        ConnectionTarget target,
        IReadOnlyList<string> arguments,
        IRecoveryLog log,
        Action<string>? onLine,
        CancellationToken cancellationToken
    ) =>
        StartAsync(
            [.. Command, "-c", IniFile, .. arguments],
            string.Join(' ', Command),
            string.Join(' ', [.. Command, "-c", IniFile, .. arguments]),
            target,
            log,
            onLine,
            cancellationToken
        );

    /// <summary>
    /// Runs Python code with the interpreter Alembic runs on (so the project's packages import), in the project's
    /// folder, with the URL of <paramref name="target"/> in the URL variable as env.py expects.
    /// </summary>
    public Task<AlembicRun> RunPythonAsync(
        ConnectionTarget target,
        string code,
        IReadOnlyList<string> arguments,
        IRecoveryLog log,
        CancellationToken cancellationToken
    ) =>
        StartAsync(
            [Interpreter(), "-c", code, .. arguments],
            Interpreter(),
            $"{Interpreter()} -c <script> {string.Join(' ', arguments)}",
            target,
            log,
            null,
            cancellationToken
        );

    /// <summary>
    /// The Python interpreter of the command: the one before <c>-m alembic</c>, else the one the
    /// <c>alembic</c> script's first line names.
    /// </summary>
    /// <exception cref="RecoveryException">It cannot be told (<c>AlembicNotFound</c>).</exception>
    public string Interpreter()
    {
        if (Command.Count >= 3 && Command[1] == "-m")
        {
            return Command[0];
        }

        var script = File.Exists(Command[0])
            ? Command[0]
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator)
                .Select(d => Path.Combine(d, Command[0]))
                .FirstOrDefault(File.Exists);
        var shebang = script is null ? null : File.ReadLines(script).FirstOrDefault();
        return shebang is not null && shebang.StartsWith("#!", StringComparison.Ordinal)
            ? shebang[2..].Trim().Split(' ')[0]
            : throw new RecoveryException(
                "AlembicNotFound",
                FailureKind.ObjectNotFound,
                $"The Python that runs '{string.Join(' ', Command)}' cannot be told; pass -AlembicCommand as the "
                    + "interpreter and module, e.g. /usr/bin/python3,-m,alembic.",
                Command[0]
            );
    }

    private async Task<AlembicRun> StartAsync(
        IReadOnlyList<string> command,
        string program,
        string display,
        ConnectionTarget target,
        IRecoveryLog log,
        Action<string>? onLine,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(log);
        var start = new ProcessStartInfo(command[0]) { WorkingDirectory = Path.GetDirectoryName(IniFile)! };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[UrlVariable] = target.ToUrlWithPassword();
        log.Verbose($"Running: {display} (database URL in ${UrlVariable})");
        var scrub = Scrubber(target);
        try
        {
            var (exitCode, lines) = await ChildProcess
                .RunAsync(
                    start,
                    scrub,
                    line =>
                    {
                        log.Verbose(line);
                        onLine?.Invoke(line);
                    },
                    cancellationToken
                )
                .ConfigureAwait(false);
            return new AlembicRun(exitCode, lines);
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            throw new RecoveryException(
                "AlembicNotFound",
                FailureKind.ObjectNotFound,
                $"Alembic could not be started as '{program}' ({ex.Message}). Pass -AlembicCommand, e.g. "
                    + "-AlembicCommand /usr/bin/python3,-m,alembic.",
                command[0],
                ex
            );
        }
    }

    /// <summary>
    /// What takes <paramref name="target"/>'s password (as given and percent-encoded) out of a line of Alembic's
    /// output.
    /// </summary>
    internal static Func<string, string> Scrubber(ConnectionTarget target)
    {
        var secrets = new[] { target.Password, target.Password is null ? null : Uri.EscapeDataString(target.Password) }
            .OfType<string>()
            .Where(s => s.Length > 0)
            .ToList();
        return line =>
            secrets.Aggregate(line, (text, secret) => text.Replace(secret, "********", StringComparison.Ordinal));
    }

    /// <summary>
    /// The error Alembic printed last (the exception line of its traceback and PostgreSQL's DETAIL and HINT), for
    /// messages.
    /// </summary>
    internal static string ErrorOf(AlembicRun run)
    {
        var last = run
            .Output.Select((line, index) => (line, index))
            .LastOrDefault(x => ExceptionLine().IsMatch(x.line));
        if (last.line is null)
        {
            return string.Join(" ", run.Output.TakeLast(3));
        }

        var details = run
            .Output.Skip(last.index + 1)
            .TakeWhile(l =>
                l.StartsWith("DETAIL:", StringComparison.Ordinal) || l.StartsWith("HINT:", StringComparison.Ordinal)
            );
        return string.Join(" ", details.Prepend(last.line));
    }

    [GeneratedRegex(@"^[\w.]+(Error|Exception)\b")]
    private static partial Regex ExceptionLine();
}
