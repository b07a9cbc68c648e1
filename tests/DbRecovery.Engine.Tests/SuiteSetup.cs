using System.Runtime.CompilerServices;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests;

internal static class SuiteSetup
{
    [ModuleInitializer]
    internal static void Initialize() => PrivateHome.Isolate();
}
