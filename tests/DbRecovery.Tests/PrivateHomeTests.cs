using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class PrivateHomeTests(PowerShellSession shell)
{
    [Fact]
    public void Cmdlet_tests_and_the_pwsh_they_start_journal_into_the_suites_private_folder_not_the_home()
    {
        Assert.Equal(
            Path.Combine(PrivateHome.Folder, "journal.jsonl"),
            Environment.GetEnvironmentVariable("DBRECOVERY_JOURNAL")
        );

        // The key the cmdlets fingerprint with, as a session of the suite sees it: in the private folder, nowhere else.
        var key = shell.Run("$env:DBRECOVERY_FINGERPRINT_KEY").ThrowOnError().Output.Single().ToString();
        Assert.Equal(Path.Combine(PrivateHome.Folder, "fingerprint.key"), key);
        Assert.Equal(PrivateHome.UserFolderAtStart, PrivateHome.Snapshot(PrivateHome.UserFolder));
    }
}
