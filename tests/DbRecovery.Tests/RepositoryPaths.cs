namespace DbRecovery.Tests;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ModuleManifest => Path.Combine(Root, "out", "DbRecovery", "DbRecovery.psd1");

    public static string ModuleDirectory => Path.Combine(Root, "out", "DbRecovery");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DbRecovery.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("DbRecovery.sln was not found above " + AppContext.BaseDirectory);
    }
}
