using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DbRecovery.Tests;

/// <summary>
/// The README's from-source commands, run as written (comments aside) in a fresh clone with nothing but the .NET SDK
/// and git: no pwsh on PATH is needed.
/// </summary>
public sealed partial class ReadmeCommandTests
{
    [Fact]
    public void The_readmes_from_source_commands_work_as_written_in_a_fresh_clone()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var commands = FromSource()
            .Match(readme)
            .Groups[1]
            .Value.Split('\n')
            .Select(l => Comment().Replace(l, string.Empty).Trim())
            .Where(l => l.Length > 0)
            .ToList();
        Assert.Contains(commands, c => c.StartsWith("dotnet build", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, c => c.StartsWith("pwsh", StringComparison.Ordinal));

        var clone = Directory.CreateTempSubdirectory("dbr-readme-").FullName;
        try
        {
            Run("git", ["clone", "-q", RepositoryPaths.Root, clone], RepositoryPaths.Root);
            var outputs = commands.Select(c => Run("bash", ["-c", c], clone)).ToList();

            Assert.Contains(
                "Get-RecoveryPlan",
                outputs[commands.FindIndex(c => c.Contains("Get-Command", StringComparison.Ordinal))],
                StringComparison.Ordinal
            );
            Assert.Single(Directory.GetFiles(Path.Combine(clone, "out", "package"), "DbRecovery.*.nupkg"));
        }
        finally
        {
            Directory.Delete(clone, recursive: true);
        }
    }

    private static string Run(string file, string[] arguments, string folder)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(
            process.ExitCode == 0,
            $"{file} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{output}\n{error.Result}"
        );
        return output;
    }

    [GeneratedRegex(@"Or from source:\s*```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FromSource();

    // A comment after two spaces ends a README command line.
    [GeneratedRegex(@"\s{2,}#.*$")]
    private static partial Regex Comment();
}
