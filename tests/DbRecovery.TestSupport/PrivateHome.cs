namespace DbRecovery.TestSupport;

/// <summary>
/// Keeps the test suite out of the user's home: the journal and the fingerprint key every test (and every pwsh a test
/// starts) uses by default live in a private folder of this test process, removed when it ends; what
/// <c>~/.dbrecovery</c> held when the suite started is recorded so a test can prove it unchanged.
/// </summary>
public static class PrivateHome
{
    private static readonly object Gate = new();
    private static string? _folder;

    /// <summary>The user's own DbRecovery folder, which tests must leave as they found it.</summary>
    public static string UserFolder { get; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dbrecovery");

    /// <summary>What <see cref="UserFolder"/> held (file, size, time) when the suite started.</summary>
    public static IReadOnlyList<string> UserFolderAtStart { get; private set; } = [];

    /// <summary>The folder holding this process's journal and key.</summary>
    public static string Folder => _folder ?? throw new InvalidOperationException("PrivateHome.Isolate() has not run.");

    /// <summary>Points $DBRECOVERY_JOURNAL and $DBRECOVERY_FINGERPRINT_KEY into a private temporary folder (once per
    /// process; a test assembly's module initializer calls it).</summary>
    public static void Isolate()
    {
        lock (Gate)
        {
            if (_folder is not null)
            {
                return;
            }

            UserFolderAtStart = Snapshot(UserFolder);
            _folder = Directory.CreateTempSubdirectory("dbrecovery-suite-").FullName;
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(
                    _folder,
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                );
            }

            Environment.SetEnvironmentVariable("DBRECOVERY_JOURNAL", Path.Combine(_folder, "journal.jsonl"));
            Environment.SetEnvironmentVariable("DBRECOVERY_FINGERPRINT_KEY", Path.Combine(_folder, "fingerprint.key"));
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(_folder);
        }
    }

    /// <summary>The files under <paramref name="folder"/> with their sizes and times, in order.</summary>
    public static IReadOnlyList<string> Snapshot(string folder) =>
        Directory.Exists(folder)
            ? Directory
                .EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
                .Select(p => new FileInfo(p))
                .Select(f => $"{f.FullName} {(f.Exists ? f.Length : -1)} {f.LastWriteTimeUtc:O}")
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    private static void Remove(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort at exit: a pwsh still writing there must not fail the run.
        }
    }
}
