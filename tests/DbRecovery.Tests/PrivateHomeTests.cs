using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

public sealed class PrivateHomeTests
{
    [Fact]
    public void Cmdlet_tests_and_the_pwsh_they_start_journal_into_the_suites_private_folder_not_the_home()
    {
        Assert.Equal(Path.Combine(PrivateHome.Folder, "journal.jsonl"), Environment.GetEnvironmentVariable("DBRECOVERY_JOURNAL"));
        Assert.Equal(PrivateHome.UserFolderAtStart, PrivateHome.Snapshot(PrivateHome.UserFolder));
    }
}
