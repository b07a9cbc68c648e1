namespace DbRecovery.Tests;

/// <summary>
/// Cmdlet tests share one imported module and change process environment variables, so they run one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PowerShellCollection : ICollectionFixture<PowerShellSession>
{
    public const string Name = "PowerShell";
}
