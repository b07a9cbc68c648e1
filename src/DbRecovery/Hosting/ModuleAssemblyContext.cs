using System.Reflection;
using System.Runtime.Loader;

namespace DbRecovery.Hosting;

/// <summary>
/// The private load context of the engine and its dependencies (Npgsql, Microsoft.Extensions.*),
/// all loaded from the module's <c>deps/</c> folder, so other modules' versions of them never clash with ours.
/// </summary>
internal sealed class ModuleAssemblyContext : AssemblyLoadContext
{
    private readonly string _dependencyDirectory;

    public ModuleAssemblyContext(string dependencyDirectory)
        : base("DbRecovery")
    {
        _dependencyDirectory = dependencyDirectory;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");

        // Anything not shipped in deps/ (the framework, PowerShell) comes from the default context.
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
