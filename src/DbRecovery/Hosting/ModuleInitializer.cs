using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace DbRecovery.Hosting;

/// <summary>
/// Runs when the module is imported: answers the default load context's requests for
/// <c>DbRecovery.Engine</c> with the copy in the module's private <see cref="ModuleAssemblyContext"/>.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private const string EngineAssemblyName = "DbRecovery.Engine";

    private static readonly ModuleAssemblyContext Context = new(
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "deps")
    );

    /// <summary>Hooks assembly resolution; PowerShell calls this once per import.</summary>
    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal)
            ? Context.LoadFromAssemblyName(name)
            : null;
}
