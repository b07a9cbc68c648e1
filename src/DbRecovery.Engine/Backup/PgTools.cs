using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Processes;

namespace DbRecovery.Engine.Backup;

/// <summary>
/// Finds and runs PostgreSQL's client programs (pg_dump, pg_restore, pg_dumpall): from -PgBinPath, PATH, or
/// /usr/lib/postgresql/*/bin (newest first). The password reaches them in PGPASSWORD, never their command line.
/// </summary>
public sealed partial class PgTools
{
    private PgTools(string directory) => Directory = directory;

    /// <summary>The folder the programs are run from.</summary>
    public string Directory { get; }

    /// <summary>Finds the programs.</summary>
    /// <exception cref="RecoveryException">pg_dump is nowhere to be found (<c>PgDumpNotFound</c>).</exception>
    public static PgTools Locate(string? binPath)
    {
        var candidates = new List<string>();
        if (binPath is not null)
        {
            candidates.Add(binPath);
        }
        else
        {
            candidates.AddRange(
                (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(
                    Path.PathSeparator,
                    StringSplitOptions.RemoveEmptyEntries
                )
            );
            if (System.IO.Directory.Exists("/usr/lib/postgresql"))
            {
                candidates.AddRange(
                    System
                        .IO.Directory.GetDirectories("/usr/lib/postgresql")
                        .OrderByDescending(d =>
                            int.TryParse(
                                Path.GetFileName(d),
                                NumberStyles.None,
                                CultureInfo.InvariantCulture,
                                out var v
                            )
                                ? v
                                : 0
                        )
                        .Select(d => Path.Combine(d, "bin"))
                );
            }
        }

        var found = candidates.FirstOrDefault(d =>
            File.Exists(Path.Combine(d, "pg_dump")) || File.Exists(Path.Combine(d, "pg_dump.exe"))
        );
        return found is null
            ? throw new RecoveryException(
                "PgDumpNotFound",
                FailureKind.ObjectNotFound,
                "pg_dump was not found on PATH or under /usr/lib/postgresql/*/bin; install the PostgreSQL client "
                    + "programs or pass -PgBinPath.",
                binPath
            )
            : new PgTools(found);
    }

    /// <summary>The major version of pg_dump.</summary>
    public async Task<int> MajorVersionAsync(CancellationToken cancellationToken)
    {
        var (code, output) = await RunAsync("pg_dump", ["--version"], null, null, cancellationToken)
            .ConfigureAwait(false);
        var match = Version().Match(output);
        return code == 0 && match.Success
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new RecoveryException(
                "PgDumpNotFound",
                FailureKind.ObjectNotFound,
                $"'{Path.Combine(Directory, "pg_dump")} --version' did not answer with a version.",
                Directory
            );
    }

    /// <summary>
    /// Runs a program with the connection's libpq environment, reporting each output line; returns its exit code and
    /// output.
    /// </summary>
    public async Task<(int ExitCode, string Output)> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ConnectionTarget? target,
        Action<string>? onLine,
        CancellationToken cancellationToken
    )
    {
        var start = new ProcessStartInfo(Path.Combine(Directory, program));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (target is not null)
        {
            start.Environment["PGPASSWORD"] = target.Password ?? string.Empty;
            start.Environment["PGAPPNAME"] = ConnectionTarget.ApplicationName;
        }

        var (exitCode, lines) = await ChildProcess
            .RunAsync(start, null, onLine, cancellationToken)
            .ConfigureAwait(false);
        return (exitCode, string.Join(Environment.NewLine, lines));
    }

    /// <summary>The libpq connection arguments for a target (host, port, user, database), no password.</summary>
    public static IReadOnlyList<string> ConnectionArguments(ConnectionTarget target, string? database = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        return ["--dbname", target.ToUrlWithoutPassword(database)];
    }

    [GeneratedRegex(@"(\d+)(\.\d+)?")]
    private static partial Regex Version();
}
