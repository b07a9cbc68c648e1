using System.Diagnostics;

namespace DbRecovery.TestSupport;

/// <summary>Runs git in a test's folder, with a test identity, and fails the test when git fails.</summary>
public static class GitRepository
{
    /// <summary>Runs <c>git <paramref name="arguments"/></c> in <paramref name="folder"/>.</summary>
    public static void Run(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-c", "user.name=t", "-c", "user.email=t@example.test" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error.Result}");
        }
    }
}
