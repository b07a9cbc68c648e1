namespace DbRecovery.Engine.Tests.Architecture;

/// <summary>
/// The engine's namespaces form layers, bottom up, and no file references a namespace at or above its own
/// layer (other than its own namespace): so there is no cycle to untangle later.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>The layers, bottom up; namespaces on one line are siblings and may not reference each other.</summary>
    public static readonly string[][] Layers =
    [
        ["Diagnostics"],
        ["Sql", "Processes"],
        ["Plans"],
        ["Journal"],
        ["Connections"],
        ["Execution"],
        ["Catalog"],
        ["Comparison"],
        ["Alembic"],
        ["Conversion", "Backup", "Secrets", "Verification"],
        ["Planning"],
    ];

    [Fact]
    public void No_engine_file_references_a_namespace_above_or_beside_its_own()
    {
        var files = EngineFiles();
        var violations = new List<string>();
        foreach (var (own, uses) in NamespaceGraph.Of(files))
        {
            var rank = Rank(Top(own))
                ?? throw new InvalidOperationException(
                    $"namespace DbRecovery.Engine.{own} is in no layer; add it to {nameof(Layers)}."
                );
            violations.AddRange(
                uses.Where(n => Top(n) != Top(own) && Rank(Top(n)) is { } other && other >= rank)
                    .Select(n => $"{own} (layer {rank}) uses {n} (layer {Rank(Top(n))})")
            );
        }

        Assert.True(files.Count > 50, $"only {files.Count} engine files found");
        Assert.Empty(violations);
    }

    [Fact]
    public void No_namespace_at_any_depth_is_in_a_cycle()
    {
        var cycles = NamespaceGraph.Cycles(NamespaceGraph.Of(EngineFiles()));

        Assert.True(cycles.Count == 0, "namespaces that use each other:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void A_cycle_between_a_namespace_and_its_child_is_caught()
    {
        var files = new Dictionary<string, string>(EngineFiles())
        {
            ["Injected/Parent.cs"] = """
                namespace DbRecovery.Engine.Injected;
                using DbRecovery.Engine.Injected.Child;
                public sealed class Parent { ChildThing? Thing { get; } }
                """,
            ["Injected/Child/ChildThing.cs"] = """
                namespace DbRecovery.Engine.Injected.Child;
                public sealed class ChildThing { Parent? Owner { get; } }
                """,
        };

        Assert.Contains("Injected ⇄ Injected.Child", NamespaceGraph.Cycles(NamespaceGraph.Of(files)));
    }

    private static Dictionary<string, string> EngineFiles()
    {
        var engine = Path.Combine(TestSupport.RepositoryRoot.Path, "src", "DbRecovery.Engine");
        return Directory
            .EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Built(f, "obj") && !Built(f, "bin"))
            .ToDictionary(f => Path.GetRelativePath(engine, f), File.ReadAllText);
    }

    private static bool Built(string file, string folder) =>
        file.Contains($"{Path.DirectorySeparatorChar}{folder}{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private static int? Rank(string ns)
    {
        var index = Array.FindIndex(Layers, layer => layer.Contains(ns));
        return index < 0 ? null : index;
    }

    private static string Top(string ns) => ns.Split('.')[0];
}
