using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Secrets;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests;

public sealed class PrivateHomeTests
{
    [Fact]
    public void The_suite_writes_its_journal_and_key_in_a_private_folder_and_leaves_the_home_as_it_found_it()
    {
        var folder = PrivateHome.Folder;
        Assert.Equal(
            Path.Combine(folder, "journal.jsonl"),
            Environment.GetEnvironmentVariable(RecoveryJournal.PathVariable)
        );
        Assert.Equal(Path.Combine(folder, "fingerprint.key"), FingerprintKey.DefaultPath);
        Assert.StartsWith(Path.GetTempPath(), folder, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                File.GetUnixFileMode(folder)
            );
        }

        // The default key is made where the suite says, and ~/.dbrecovery is what it was when the suite started.
        FingerprintKey.LoadOrCreate(FingerprintKey.DefaultPath);
        Assert.True(File.Exists(Path.Combine(folder, "fingerprint.key")));
        Assert.Equal(PrivateHome.UserFolderAtStart, PrivateHome.Snapshot(PrivateHome.UserFolder));
    }
}
