namespace DbRecovery.Tests;

internal static class RepositoryPaths
{
    public static string Root => TestSupport.RepositoryRoot.Path;

    public static string ModuleManifest => Path.Combine(Root, "out", "DbRecovery", "DbRecovery.psd1");

    public static string ModuleDirectory => Path.Combine(Root, "out", "DbRecovery");
}
