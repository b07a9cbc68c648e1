using System.Runtime.CompilerServices;
using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

internal static class SuiteSetup
{
    [ModuleInitializer]
    internal static void Initialize() => PrivateHome.Isolate();
}
