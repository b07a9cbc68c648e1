using System.ComponentModel;
using System.Diagnostics;
using DbRecovery.Engine.Processes;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Where a revision that no migration file has any more (Alembic's "Can't locate revision": a reverted branch's
/// migration) was last seen in the project's git history: the newest commit that added or removed its id.
/// </summary>
public static class RevisionFileHistory
{
    /// <summary>
    /// Says where <paramref name="revision"/> was last seen under <paramref name="folder"/>'s git history, or null when
    /// the folder is no git repository, git is missing, or no commit ever held it.
    /// </summary>
    public static async Task<string?> LastSeenAsync(string folder, string revision, CancellationToken cancellationToken)
    {
        string[] pickaxe =
        [
            "log",
            "--all",
            "-n",
            "1",
            "--format=%h%x09%cs%x09%s",
            "--name-only",
            "-S",
            revision,
            "--",
            ".",
        ];
        var log = await GitAsync(folder, pickaxe, cancellationToken).ConfigureAwait(false);
        var lines = log?.Where(l => l.Length > 0).ToList();
        if (lines is not { Count: > 1 } || lines[0].Split('\t') is not [var commit, var date, var subject])
        {
            return null;
        }

        var file = lines[1];
        var present =
            await GitAsync(folder, ["cat-file", "-e", $"{commit}:{file}"], cancellationToken).ConfigureAwait(false)
            is not null;
        return present
            ? $"{file} has it at commit {commit} ({date}, \"{subject}\"), in no branch checked out here"
            : $"{file} had it until commit {commit} ({date}, \"{subject}\") removed it; "
                + $"git show {commit}^:{file} prints it";
    }

    /// <summary>The output lines of git, or null when it fails or cannot be started.</summary>
    private static async Task<IReadOnlyList<string>?> GitAsync(
        string folder,
        IReadOnlyList<string> arguments,
        CancellationToken cancellationToken
    )
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder };
        foreach (var argument in new[] { "-c", "core.quotepath=off" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var (exitCode, lines) = await ChildProcess
                .RunAsync(start, null, null, cancellationToken)
                .ConfigureAwait(false);
            return exitCode == 0 ? lines : null;
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
