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
public sealed partial record AlembicCli(IReadOnlyList<string> Command, string IniFile, string UrlVariable = "DATABASE_URL")
{
    /// <summary>The CLI for the project at <paramref name="path"/>, which must have an alembic.ini.</summary>
    /// <exception cref="RecoveryException">The project has no alembic.ini (<c>AlembicIniNotFound</c>).</exception>
    public static AlembicCli For(string path, IReadOnlyList<string> command, string urlVariable)
    {
        var project = AlembicProject.Locate(path);
        return project.IniFile is null
            ? throw new RecoveryException("AlembicIniNotFound", FailureKind.ObjectNotFound,
                $"'{path}' has no alembic.ini; running Alembic needs one. Give -Path the folder that holds alembic.ini.", path)
            : new AlembicCli(command, project.IniFile, urlVariable);
    }

    /// <summary>Runs <c>alembic -c ini ARGS</c> against <paramref name="target"/>, reporting each output line.</summary>
    /// <returns>The exit code and the output (standard output and error, scrubbed).</returns>
    public async Task<AlembicRun> RunAsync(ConnectionTarget target, IReadOnlyList<string> arguments, IRecoveryLog log, Action<string>? onLine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(log);
        var start = new ProcessStartInfo(Command[0]) { WorkingDirectory = Path.GetDirectoryName(IniFile)! };
        foreach (var argument in Command.Skip(1).Concat(["-c", IniFile]).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[UrlVariable] = target.ToUrlWithPassword();
        log.Verbose($"Running: {string.Join(' ', start.ArgumentList.Prepend(Command[0]))} (database URL in ${UrlVariable})");
        var secrets = new[] { target.Password, target.Password is null ? null : Uri.EscapeDataString(target.Password) }.OfType<string>().Where(s => s.Length > 0).ToList();
        string Scrub(string line) => secrets.Aggregate(line, (text, secret) => text.Replace(secret, "********", StringComparison.Ordinal));
        try
        {
            var (exitCode, lines) = await ChildProcess.RunAsync(start, Scrub, line =>
            {
                log.Verbose(line);
                onLine?.Invoke(line);
            }, cancellationToken).ConfigureAwait(false);
            return new AlembicRun(exitCode, lines);
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            throw new RecoveryException("AlembicNotFound", FailureKind.ObjectNotFound,
                $"Alembic could not be started as '{string.Join(' ', Command)}' ({ex.Message}). Pass -AlembicCommand, e.g. -AlembicCommand /usr/bin/python3,-m,alembic.", Command[0], ex);
        }
    }

    /// <summary>The error Alembic printed last (the exception line of its traceback and PostgreSQL's DETAIL and HINT), for messages.</summary>
    internal static string ErrorOf(AlembicRun run)
    {
        var last = run.Output.Select((line, index) => (line, index)).LastOrDefault(x => ExceptionLine().IsMatch(x.line));
        if (last.line is null)
        {
            return string.Join(" ", run.Output.TakeLast(3));
        }

        var details = run.Output.Skip(last.index + 1).TakeWhile(l => l.StartsWith("DETAIL:", StringComparison.Ordinal) || l.StartsWith("HINT:", StringComparison.Ordinal));
        return string.Join(" ", details.Prepend(last.line));
    }

    [GeneratedRegex(@"^[\w.]+(Error|Exception)\b")]
    private static partial Regex ExceptionLine();
}
