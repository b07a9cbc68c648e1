using System.Diagnostics;
using DbRecovery.TestSupport;

namespace DbRecovery.Demo;

/// <summary>
/// Stages the incident on a throwaway PostgreSQL (the test fixture's server: local initdb/pg_ctl, Docker, or
/// DBRECOVERY_TEST_DATABASE_URL) with real Alembic, then runs Show-Recovery.ps1 in a real pwsh, as an operator
/// would. The local server is stopped when this process ends, however it ends.
/// </summary>
public static class IncidentDemo
{
    /// <summary>
    /// Runs the demo; pwsh writes to this console, or to <paramref name="output"/> when given. Returns pwsh's exit
    /// code.
    /// </summary>
    public static async Task<int> RunAsync(TextWriter? output)
    {
        var say = output ?? Console.Out;
        await say.WriteLineAsync("Staging the incident: a throwaway PostgreSQL, migrated with real Alembic");
        await say.WriteLineAsync("while the files said uuid ...");
        var server = await PostgresServer.GetAsync();
        await using var database = await server.CreateDatabaseAsync();
        await using var scratch = await server.CreateDatabaseAsync();
        using var project = AlembicHistories.Incident(new AlembicTestProject());
        using (var builtWith = AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)"))
        {
            builtWith.Upgrade(database.Url, AlembicHistories.IncidentTrueRevision);
        }

        // ... then someone edited the files to String(36) and stamped head by hand.
        await database.ExecuteAsync(
            AlembicHistories.IncidentRows
                + $"UPDATE alembic_version SET version_num = '{AlembicHistories.IncidentHead}';"
        );
        var work = Directory.CreateTempSubdirectory("dbrecovery-demo-").FullName;
        try
        {
            return await PwshAsync(
                output,
                Path.Combine(AppContext.BaseDirectory, "Show-Recovery.ps1"),
                new Dictionary<string, string>
                {
                    ["DATABASE_URL"] = database.Url,
                    ["DEMO_SCRATCH_URL"] = scratch.Url,
                    ["DEMO_PROJECT"] = project.Root,
                    ["DEMO_WORK"] = work,
                    ["DEMO_MODULE"] = Path.Combine(RepositoryRoot.Path, "out", "DbRecovery", "DbRecovery.psd1"),
                    ["DEMO_ALEMBIC"] = AlembicTestProject.Python,
                    ["DBRECOVERY_FINGERPRINT_KEY"] = Path.Combine(work, "fingerprint.key"),
                }
            );
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>pwsh from $PWSH or PATH, else the repository's local tool (dotnet tool run pwsh).</summary>
    private static async Task<int> PwshAsync(TextWriter? output, string script, IDictionary<string, string> environment)
    {
        var onPath = Environment.GetEnvironmentVariable("PWSH")
            ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator)
                .Select(d => Path.Combine(d, "pwsh"))
                .FirstOrDefault(File.Exists);
        var start = new ProcessStartInfo(onPath ?? "dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = output is not null,
            RedirectStandardError = output is not null,
        };
        foreach (
            var argument in (onPath is null ? ["tool", "run", "pwsh"] : Array.Empty<string>()).Concat([
                "-NoProfile",
                "-File",
                script,
            ])
        )
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        if (output is not null)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            await output.WriteAsync(await stdout + await stderr);
        }
        else
        {
            await process.WaitForExitAsync();
        }

        return process.ExitCode;
    }
}
