namespace DbRecovery.TestSupport;

/// <summary>The repository's root: the folder above the test binaries that holds DbRecovery.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            directory is not null;
            directory = directory.Parent
        )
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "DbRecovery.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("DbRecovery.sln was not found above " + AppContext.BaseDirectory);
    }
}
