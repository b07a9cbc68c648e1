using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Tests.Architecture;

/// <summary>
/// The engine's namespaces form layers, bottom up, and no file references a namespace at or above its own
/// layer (other than its own namespace): so there is no cycle to untangle later.
/// </summary>
public sealed partial class LayeringTests
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
        var engine = Path.Combine(TestSupport.RepositoryRoot.Path, "src", "DbRecovery.Engine");
        var files = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        var violations = new List<string>();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var own = FileNamespace().Match(text).Groups[1].Value;
            var rank = Rank(own) ?? throw new InvalidOperationException($"{file}: namespace DbRecovery.Engine.{own} is in no layer; add it to {nameof(Layers)}.");
            var code = Strings().Replace(Comments().Replace(text, string.Empty), "\"\"");
            var referenced = Qualified().Matches(code).Select(m => m.Groups[1].Value)
                .Concat(Relative().Matches(code).Select(m => m.Groups[1].Value).Where(n => Rank(n) is not null))
                .Where(n => n != own).Distinct();
            violations.AddRange(referenced.Where(n => Rank(n) is { } other && other >= rank)
                .Select(n => $"{Path.GetRelativePath(engine, file)} ({own}, layer {rank}) references {n} (layer {Rank(n)})"));
        }

        Assert.True(files.Count > 50, $"only {files.Count} engine files found under {engine}");
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
            ["Injected/Parent.cs"] = "namespace DbRecovery.Engine.Injected;\nusing DbRecovery.Engine.Injected.Child;\npublic sealed class Parent { ChildThing? Thing { get; } }\n",
            ["Injected/Child/ChildThing.cs"] = "namespace DbRecovery.Engine.Injected.Child;\npublic sealed class ChildThing { Parent? Owner { get; } }\n",
        };

        Assert.Contains("Injected ⇄ Injected.Child", NamespaceGraph.Cycles(NamespaceGraph.Of(files)));
    }

    private static Dictionary<string, string> EngineFiles()
    {
        var engine = Path.Combine(TestSupport.RepositoryRoot.Path, "src", "DbRecovery.Engine");
        return Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(engine, f), File.ReadAllText);
    }

    private static int? Rank(string ns)
    {
        var index = Array.FindIndex(Layers, layer => layer.Contains(ns));
        return index < 0 ? null : index;
    }


    [GeneratedRegex(@"^namespace DbRecovery\.Engine\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"DbRecovery\.Engine\.(\w+)")]
    private static partial Regex Qualified();

    // Inside the engine a namespace can be named relative to DbRecovery.Engine: Catalog.VersionTable, Sql.QualifiedName.
    [GeneratedRegex(@"(?<![\w.])([A-Z]\w+)\.[A-Z]\w*")]
    private static partial Regex Relative();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"@?\$?""""""[\s\S]*?""""""|@?\$?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Strings();
}
