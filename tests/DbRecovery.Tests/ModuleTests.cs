using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;
using System.Runtime.Loader;
using System.Xml.Linq;

namespace DbRecovery.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class ModuleTests(PowerShellSession shell)
{
    private static readonly string[] ExpectedCommands =
    [
        "Backup-Database",
        "Compare-SchemaState",
        "Convert-IdColumns",
        "Export-SchemaState",
        "Find-AlembicRevision",
        "Find-ExposedSecret",
        "Get-AlembicHistory",
        "Get-AlembicVersion",
        "Get-KeyCapacity",
        "Get-RecoveryJournal",
        "Get-RecoveryPlan",
        "Get-RevisionSchema",
        "Get-SchemaState",
        "Import-SchemaState",
        "Invoke-AlembicUpgrade",
        "Invoke-RecoveryPlan",
        "Reset-DatabasePassword",
        "Restore-Database",
        "Set-AlembicVersion",
        "Test-AlembicUpgrade",
        "Test-CredentialRevoked",
        "Test-DatabaseBackup",
        "Test-RecoveryState",
    ];

    [Fact]
    public void Exports_exactly_the_expected_cmdlets()
    {
        var names = shell
            .Run("Get-Command -Module DbRecovery | ForEach-Object Name")
            .ThrowOnError()
            .Output.Select(o => o.ToString())
            .Order(StringComparer.Ordinal);

        Assert.Equal(ExpectedCommands, names);
    }

    [Fact]
    public void Manifest_is_valid_and_matches_the_assembly_version()
    {
        var manifest = shell.Run($"Test-ModuleManifest -Path '{RepositoryPaths.ModuleManifest}'").ThrowOnError();
        var module = Assert.Single(manifest.Output);

        Assert.Equal("7.4", module.Properties["PowerShellVersion"].Value.ToString());
        Assert.Equal(["Core"], ((IEnumerable<string>)module.Properties["CompatiblePSEditions"].Value).ToArray());
        var assemblyVersion = AssemblyName
            .GetAssemblyName(Path.Combine(RepositoryPaths.ModuleDirectory, "DbRecovery.dll"))
            .Version!;
        Assert.Equal(module.Properties["Version"].Value.ToString(), assemblyVersion.ToString(3));
    }

    [Fact]
    public void Engine_and_Npgsql_load_in_the_module_private_context()
    {
        var engine =
            shell
                .Run("(Get-Command Get-SchemaState).OutputType[0].Type.Assembly")
                .ThrowOnError()
                .Output.Single()
                .BaseObject as System.Reflection.Assembly;
        // Connecting forces Npgsql to load; the failure is expected and irrelevant here.
        shell.Run("Get-SchemaState -ConnectionString 'postgresql://u@127.0.0.1:1/d' -ErrorAction SilentlyContinue");

        var context = AssemblyLoadContext.GetLoadContext(engine!)!;
        Assert.Equal("DbRecovery", context.Name);
        Assert.NotSame(AssemblyLoadContext.Default, context);
        var privateNpgsql = Assert.Single(context.Assemblies, a => a.GetName().Name == "Npgsql");
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "DbRecovery.Engine");

        // The test process uses Npgsql too (to create databases): two copies coexist without clashing.
        var ownNpgsql = typeof(Npgsql.NpgsqlConnection).Assembly;
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(ownNpgsql));
        Assert.NotSame(ownNpgsql, privateNpgsql);
    }

    public static TheoryData<string> Commands => new(ExpectedCommands);

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_cmdlet_has_help_with_examples_and_every_parameter_is_described(string command)
    {
        var help = shell.Run($"Get-Help {command} -Full").ThrowOnError().Output.Single();
        var parameters = shell
            .Run($"(Get-Command {command}).Parameters.Keys")
            .ThrowOnError()
            .Output.Select(o => o.ToString())
            .Except(Cmdlet.CommonParameters)
            .Except(Cmdlet.OptionalCommonParameters);

        Assert.False(string.IsNullOrWhiteSpace(help.Properties["Synopsis"].Value?.ToString()));
        Assert.NotEqual(command, help.Properties["Synopsis"].Value?.ToString()!.Trim());
        foreach (var parameter in parameters)
        {
            var description = shell
                .Run($"(Get-Help {command} -Parameter {parameter}).description.Text")
                .ThrowOnError()
                .Output;
            Assert.True(
                description.Count > 0 && description.All(d => d.ToString().Length > 10),
                $"{command} -{parameter} has no description"
            );
        }

        var examples = shell.Run($"(Get-Help {command} -Examples).examples.example.code").ThrowOnError().Output;
        Assert.NotEmpty(examples);
        Assert.All(examples, e => Assert.Contains(command, e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Every_output_type_has_a_default_table_view_that_loads()
    {
        var formatFile = Path.Combine(RepositoryPaths.ModuleDirectory, "DbRecovery.format.ps1xml");
        // Loading the file is the check: FormatTable throws on any view PowerShell would reject.
        _ = new System.Management.Automation.Runspaces.FormatTable([formatFile]);
        var views = XDocument.Load(formatFile).Descendants("TypeName").Select(t => t.Value).ToHashSet();

        var outputTypes = shell
            .Run("Get-Command -Module DbRecovery | ForEach-Object { $_.OutputType.Name }")
            .ThrowOnError()
            .Output.Select(o => o.ToString())
            .Where(t => t.StartsWith("DbRecovery.", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(outputTypes);
        Assert.All(outputTypes, t => Assert.Contains(t, views));
        Assert.Contains("DbRecovery.Engine.Catalog.TableState", views);
    }

    [Fact]
    public void Every_output_record_and_the_records_it_carries_read_as_text()
    {
        var outputTypes = shell
            .Run(
                "Get-Command -Module DbRecovery | ForEach-Object { $_.OutputType.Type } | Sort-Object -Unique FullName"
            )
            .ThrowOnError()
            .Output.Select(o => (Type)o.BaseObject)
            .Where(t => t.FullName!.StartsWith("DbRecovery.", StringComparison.Ordinal))
            .ToList();
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(outputTypes);
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type))
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var carried = property.PropertyType.IsGenericType
                    ? property.PropertyType.GetGenericArguments().Last()
                    : property.PropertyType;
                if (carried.IsClass && carried.FullName!.StartsWith("DbRecovery.", StringComparison.Ordinal))
                {
                    pending.Enqueue(carried);
                }
            }
        }

        Assert.True(seen.Count > outputTypes.Count, "the output records carry records of their own");
        var generated = seen.Where(t =>
                t.GetMethod("ToString", Type.EmptyTypes) is not { } method
                || method.DeclaringType != t
                || method.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is not null
            )
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Empty(generated);
    }

    [Fact]
    public void Every_PowerShell_file_in_the_repository_parses()
    {
        var files = Directory
            .EnumerateFiles(RepositoryPaths.Root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".ps1", StringComparison.Ordinal) || f.EndsWith(".psd1", StringComparison.Ordinal))
            .Where(f =>
                !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains(
                    $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}",
                    StringComparison.Ordinal
                )
            )
            .ToList();

        Assert.Contains(files, f => f.EndsWith("build.ps1", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".Tests.ps1", StringComparison.Ordinal));
        foreach (var file in files)
        {
            Parser.ParseFile(file, out _, out var errors);
            Assert.True(
                errors.Length == 0,
                $"{file}: {string.Join("; ", errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}"))}"
            );
        }
    }
}
