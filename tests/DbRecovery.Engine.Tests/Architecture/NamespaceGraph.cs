using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Tests.Architecture;

/// <summary>
/// Which engine namespace uses which, at full depth (<c>Alembic.Replay</c>, not just <c>Alembic</c>), read from the
/// source: <c>using</c> directives, qualified names, names relative to an enclosing namespace
/// (<c>Replay.StaticReplay</c>) and the types of an enclosing namespace a file uses without any directive (C# lets
/// <c>Alembic.Replay</c> see <c>Alembic</c>'s types), which is how a child and its parent end up in a cycle.
/// </summary>
internal static partial class NamespaceGraph
{
    /// <summary>The uses between namespaces (relative to DbRecovery.Engine) of the files given as path and
    /// text.</summary>
    public static Dictionary<string, HashSet<string>> Of(IReadOnlyDictionary<string, string> files)
    {
        var code = files.ToDictionary(
            f => f.Key,
            f => Strings().Replace(Comments().Replace(f.Value, string.Empty), "\"\"")
        );
        var namespaceOf = code.ToDictionary(f => f.Key, f => FileNamespace().Match(f.Value).Groups[1].Value);
        var declared = namespaceOf.Values.ToHashSet(StringComparer.Ordinal);
        var types = code.GroupBy(f => namespaceOf[f.Key])
            .ToDictionary(
                g => g.Key,
                g =>
                    g.SelectMany(f => TypeDeclaration().Matches(f.Value).Select(m => m.Groups[1].Value))
                        .ToHashSet(StringComparer.Ordinal)
            );
        var graph = declared.ToDictionary(n => n, _ => new HashSet<string>(StringComparer.Ordinal));
        foreach (var (file, text) in code)
        {
            var own = namespaceOf[file];
            var uses = graph[own];
            foreach (Match qualified in Qualified().Matches(text))
            {
                if (Longest(qualified.Groups[1].Value, declared) is { } used)
                {
                    uses.Add(used);
                }
            }

            var enclosing = Enclosing(own).ToList();
            foreach (Match relative in Relative().Matches(text))
            {
                var name = relative.Groups[1].Value;
                // C# looks a name up in the file's namespace, then in each enclosing one, then at the engine's root.
                foreach (var scope in enclosing.Prepend(own).Append(string.Empty))
                {
                    if (Longest(scope.Length == 0 ? name : $"{scope}.{name}", declared) is { } used && used != scope)
                    {
                        uses.Add(used);
                        break;
                    }
                }
            }

            var identifiers = Identifier().Matches(text).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            foreach (var parent in enclosing.Where(types.ContainsKey))
            {
                if (types[parent].Overlaps(identifiers))
                {
                    uses.Add(parent);
                }
            }

            uses.Remove(own);
        }

        return graph;
    }

    /// <summary>Every cycle's namespaces (strongly connected components of more than one), as text.</summary>
    public static List<string> Cycles(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var cycles = new List<string>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Where(graph.ContainsKey))
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    component.Add(member);
                } while (member != node);
                if (component.Count > 1)
                {
                    cycles.Add(string.Join(" ⇄ ", component.Order(StringComparer.Ordinal)));
                }
            }
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal).Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return cycles;
    }

    private static IEnumerable<string> Enclosing(string ns)
    {
        for (var dot = ns.LastIndexOf('.'); dot > 0; dot = ns.LastIndexOf('.', dot - 1))
        {
            yield return ns[..dot];
        }
    }

    private static string? Longest(string dotted, HashSet<string> declared)
    {
        var parts = dotted.Split('.');
        for (var length = parts.Length; length > 0; length--)
        {
            var candidate = string.Join('.', parts[..length]);
            if (declared.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^namespace DbRecovery\.Engine\.([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"DbRecovery\.Engine\.([\w.]+)")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"(?<![\w.])([A-Z]\w+(?:\.[A-Z]\w*)+)")]
    private static partial Regex Relative();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"@?\$?""""""[\s\S]*?""""""|@?\$?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Strings();
}
