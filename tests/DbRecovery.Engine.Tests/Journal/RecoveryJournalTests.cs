using System.Diagnostics;
using DbRecovery.Engine.Journal;

namespace DbRecovery.Engine.Tests.Journal;

public sealed class RecoveryJournalTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"dbr-journal-{Guid.NewGuid():N}", "nested");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);

    private static JournalEntry Entry(int? pid, string? host, string outcome = "Started") =>
        new()
        {
            Id = Guid.NewGuid(),
            StartedAt = DateTimeOffset.UtcNow,
            OsUser = "ops",
            Target = "postgresql://ops@db:5432/app",
            Operation = "Convert-IdColumns",
            Outcome = outcome,
            ProcessId = pid,
            Host = host,
        };

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_journal_is_created_readable_by_its_owner_only()
    {
        var journal = new RecoveryJournal(Path.Combine(_folder, "journal.jsonl"));

        journal.Append(Entry(Environment.ProcessId, Environment.MachineName));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(journal.Path));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(_folder)
        );
    }

    [Fact]
    public void An_operation_whose_process_died_reads_as_Interrupted_one_still_running_as_Started()
    {
        using var ended = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        ended.WaitForExit();
        var journal = new RecoveryJournal(Path.Combine(_folder, "journal.jsonl"));
        var dead = Entry(ended.Id, Environment.MachineName);
        var running = Entry(Environment.ProcessId, Environment.MachineName);
        var elsewhere = Entry(ended.Id, "another-host");
        var finished = Entry(ended.Id, Environment.MachineName);
        foreach (var entry in new[] { dead, running, elsewhere, finished })
        {
            journal.Append(entry);
        }

        journal.Append(finished with { CompletedAt = DateTimeOffset.UtcNow, Outcome = "Committed" });

        Assert.Equal(["Interrupted", "Started", "Started", "Committed"], journal.Read().Select(e => e.Outcome));
    }
}
