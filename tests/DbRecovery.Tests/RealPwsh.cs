using System.Diagnostics;

namespace DbRecovery.Tests;

/// <summary>
/// Runs scripts in a real pwsh (the PowerShell global tool of the repository's tool manifest), as a runbook runs.
/// </summary>
internal static class RealPwsh
{
    /// <summary>Runs <paramref name="script"/> from a temporary file; returns pwsh's exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunScriptAsync(
        string script,
        IDictionary<string, string> environment
    )
    {
        var file = Path.Combine(Path.GetTempPath(), $"dbrecovery-pwsh-{Guid.NewGuid():N}.ps1");
        await File.WriteAllTextAsync(file, script);
        try
        {
            return await RunFileAsync(file, [], environment);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Runs <c>pwsh -File <paramref name="file"/> <paramref name="arguments"/></c>; returns its exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunFileAsync(
        string file,
        IEnumerable<string> arguments,
        IDictionary<string, string> environment
    )
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (
            var argument in new[] { "tool", "run", "pwsh", "-NoProfile", "-NonInteractive", "-File", file }.Concat(
                arguments
            )
        )
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;
        if (process.ExitCode != 0 && text.Contains("dotnet tool restore", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                "pwsh is not installed: run 'dotnet tool restore' in the repository (it installs the PowerShell tool "
                    + "of .config/dotnet-tools.json). "
                    + text
            );
        }

        return (process.ExitCode, text);
    }
}
