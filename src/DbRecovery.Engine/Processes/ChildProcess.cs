using System.Diagnostics;

namespace DbRecovery.Engine.Processes;

/// <summary>
/// Runs a program to completion, reading standard output and error line by line as they come, and kills
/// it (with its children) when the work is cancelled.
/// </summary>
internal static class ChildProcess
{
    /// <summary>
    /// Runs <paramref name="start"/>; each line (after <paramref name="scrub"/>) is kept and passed to
    /// <paramref name="onLine"/>.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program cannot be started.</exception>
    public static async Task<(int ExitCode, IReadOnlyList<string> Lines)> RunAsync(
        ProcessStartInfo start,
        Func<string, string>? scrub,
        Action<string>? onLine,
        CancellationToken cancellationToken
    )
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"{start.FileName} did not start");
        var lines = new List<string>();
        async Task Pump(StreamReader reader)
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } raw)
            {
                var line = scrub is null ? raw : scrub(raw);
                lock (lines)
                {
                    lines.Add(line);
                }

                onLine?.Invoke(line);
            }
        }

        try
        {
            await Task.WhenAll(
                    Pump(process.StandardOutput),
                    Pump(process.StandardError),
                    process.WaitForExitAsync(cancellationToken)
                )
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, lines);
    }
}
