using System.Collections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// An Alembic revision graph read statically from migration files: revisions in topological order
/// (bases first), heads, bases, ancestry and paths. Cycles, unknown down revisions and duplicate
/// ids are errors; a file that cannot be fully read is a warning.
/// </summary>
public sealed class AlembicHistory
{
    private readonly Dictionary<string, int> _index;
    private readonly BitArray[] _ancestors;

    private AlembicHistory(List<AlembicRevision> revisions, List<string> warnings, string source)
    {
        Source = source;
        _index = revisions
            .Select((r, i) => (r.Revision, i))
            .ToDictionary(x => x.Revision, x => x.i, StringComparer.Ordinal);
        _ancestors = new BitArray[revisions.Count];
        for (var i = 0; i < revisions.Count; i++)
        {
            _ancestors[i] = new BitArray(revisions.Count);
            _ancestors[i][i] = true;
            foreach (var parent in Parents(revisions[i]))
            {
                _ancestors[i].Or(_ancestors[_index[parent]]);
            }
        }

        Revisions = revisions;
        Warnings = warnings;
    }

    /// <summary>Where the history was read from.</summary>
    public string Source { get; }

    /// <summary>All revisions, each after every revision it follows or depends on.</summary>
    public IReadOnlyList<AlembicRevision> Revisions { get; }

    /// <summary>Revisions no other revision follows.</summary>
    public IReadOnlyList<string> Heads => Revisions.Where(r => r.IsHead).Select(r => r.Revision).ToList();

    /// <summary>Revisions that follow none.</summary>
    public IReadOnlyList<string> Bases => Revisions.Where(r => r.IsBase).Select(r => r.Revision).ToList();

    /// <summary>The naming convention of the MetaData the project's env.py gives Alembic, when it has one.</summary>
    public IReadOnlyDictionary<string, string>? NamingConvention { get; private set; }

    /// <summary>Files or statements that could not be read.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Reads the history of the Alembic project at <paramref name="path"/>.</summary>
    /// <exception cref="RecoveryException">No project there, or the graph is broken (cycle, unknown or duplicate
    /// revision).</exception>
    public static AlembicHistory Load(string path, IRecoveryLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var project = AlembicProject.Locate(path);
        var modules = ProjectModules.For(project);
        var scripts = new List<MigrationScript>();
        foreach (var file in project.MigrationFiles())
        {
            var script = MigrationFileReader.Read(file, File.ReadAllText(file), modules);
            if (script.Revision is null)
            {
                log.Verbose($"{file} has no revision assignment; it is not a migration and is skipped.");
                continue;
            }

            scripts.Add(script);
        }

        var history = Build(scripts, path);
        history.NamingConvention = modules.NamingConvention();
        foreach (var warning in history.Warnings)
        {
            log.Warning(warning);
        }

        return history;
    }

    /// <summary>The revisions <paramref name="revision"/> stands on, itself included, in topological order.</summary>
    public IReadOnlyList<AlembicRevision> Ancestors(string revision)
    {
        var set = _ancestors[IndexOf(revision)];
        return Revisions.Where((_, i) => set[i]).ToList();
    }

    /// <summary>Whether <paramref name="ancestor"/> is <paramref name="revision"/> or comes before it.</summary>
    public bool IsAncestor(string ancestor, string revision) => _ancestors[IndexOf(revision)][IndexOf(ancestor)];

    /// <summary>
    /// The revisions an upgrade from <paramref name="from"/> (null for base) to <paramref name="to"/> applies, in
    /// order.
    /// </summary>
    public IReadOnlyList<AlembicRevision> Path(string? from, string to) => Path(from is null ? [] : [from], [to]);

    /// <summary>
    /// The revisions an upgrade from the revisions <paramref name="from"/> (empty for base) to all of
    /// <paramref name="to"/> applies, in order.
    /// </summary>
    public IReadOnlyList<AlembicRevision> Path(IReadOnlyList<string> from, IReadOnlyList<string> to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var targets = to.Select(t => _ancestors[IndexOf(t)]).ToList();
        var done = from.Select(f => _ancestors[IndexOf(f)]).ToList();
        return Revisions.Where((_, i) => targets.Any(t => t[i]) && !done.Any(d => d[i])).ToList();
    }

    /// <summary>
    /// Finds a revision by id, unique id prefix, branch label, or <c>head</c> when there is one head.
    /// </summary>
    /// <exception cref="RecoveryException">Unknown (<c>RevisionNotFound</c>) or ambiguous
    /// (<c>AmbiguousRevision</c>).</exception>
    public AlembicRevision Resolve(string identifier)
    {
        if (_index.TryGetValue(identifier, out var exact))
        {
            return Revisions[exact];
        }

        var matches =
            identifier == "head" ? Revisions.Where(r => r.IsHead).ToList()
            : Revisions.Where(r => r.BranchLabels.Contains(identifier)).ToList() is { Count: > 0 } labelled ? labelled
            : Revisions.Where(r => r.Revision.StartsWith(identifier, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new RecoveryException(
                "RevisionNotFound",
                FailureKind.ObjectNotFound,
                $"'{identifier}' is not a revision of the history in '{Source}'. Its heads are: "
                    + $"{string.Join(", ", Heads)}.",
                identifier
            ),
            _ => throw new RecoveryException(
                "AmbiguousRevision",
                FailureKind.InvalidArgument,
                $"'{identifier}' matches several revisions ({string.Join(", ", matches.Select(m => m.Revision))}); "
                    + "give the full id.",
                identifier
            ),
        };
    }

    /// <summary>Whether <paramref name="revision"/> (a full id) is a revision of the history.</summary>
    public bool Contains(string revision) => _index.ContainsKey(revision);

    internal int IndexOf(string revision) =>
        _index.TryGetValue(revision, out var i)
            ? i
            : throw new RecoveryException(
                "RevisionNotFound",
                FailureKind.ObjectNotFound,
                $"'{revision}' is not a revision of the history in '{Source}'.",
                revision
            );

    internal BitArray AncestorSet(int index) => _ancestors[index];

    internal static IEnumerable<string> Parents(AlembicRevision revision) =>
        revision.DownRevisions.Concat(revision.DependsOn).Distinct(StringComparer.Ordinal);

    internal static AlembicHistory Build(IReadOnlyList<MigrationScript> scripts, string source)
    {
        var duplicate = scripts.GroupBy(s => s.Revision!, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new RecoveryException(
                "DuplicateRevision",
                FailureKind.InvalidData,
                $"The revision id '{duplicate.Key}' is used by several files: "
                    + $"{string.Join(", ", duplicate.Select(s => s.Path))}.",
                duplicate.Key
            );
        }

        var byId = scripts.ToDictionary(s => s.Revision!, StringComparer.Ordinal);
        foreach (var script in scripts)
        {
            var unknown = script.DownRevisions.Concat(script.DependsOn).FirstOrDefault(d => !byId.ContainsKey(d));
            if (unknown is not null)
            {
                throw new RecoveryException(
                    "UnknownDownRevision",
                    FailureKind.InvalidData,
                    $"{script.Path}: revision {script.Revision} follows '{unknown}', which no migration file defines.",
                    script.Revision
                );
            }
        }

        var children = scripts.ToDictionary(s => s.Revision!, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var script in scripts)
        {
            foreach (var down in script.DownRevisions)
            {
                children[down].Add(script.Revision!);
            }
        }

        var ordered = TopologicalOrder(scripts, byId);
        var revisions = ordered
            .Select(s => new AlembicRevision
            {
                Revision = s.Revision!,
                DownRevisions = s.DownRevisions,
                BranchLabels = s.BranchLabels,
                DependsOn = s.DependsOn,
                Message = s.Message,
                CreateDate = s.CreateDate,
                Path = s.Path,
                Operations = s.Operations,
                Warnings = s.Warnings,
                IsBase = s.DownRevisions.Count == 0,
                IsHead = children[s.Revision!].Count == 0,
                IsBranchPoint = children[s.Revision!].Count > 1,
            })
            .ToList();
        return new AlembicHistory(revisions, scripts.SelectMany(s => s.Warnings).ToList(), source);
    }

    private static List<MigrationScript> TopologicalOrder(
        IReadOnlyList<MigrationScript> scripts,
        Dictionary<string, MigrationScript> byId
    )
    {
        var pending = scripts.ToDictionary(
            s => s.Revision!,
            s => s.DownRevisions.Concat(s.DependsOn).Distinct(StringComparer.Ordinal).Count(),
            StringComparer.Ordinal
        );
        var dependents = scripts.ToDictionary(s => s.Revision!, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var script in scripts)
        {
            foreach (var parent in script.DownRevisions.Concat(script.DependsOn).Distinct(StringComparer.Ordinal))
            {
                dependents[parent].Add(script.Revision!);
            }
        }

        // Among revisions that are ready, the older (by Create Date, then id) comes first, so the order is stable.
        var ready = new PriorityQueue<MigrationScript, (DateTime, string)>(
            Comparer<(DateTime, string)>.Create(
                (a, b) => a.Item1 != b.Item1 ? a.Item1.CompareTo(b.Item1) : string.CompareOrdinal(a.Item2, b.Item2)
            )
        );
        foreach (var script in scripts.Where(s => pending[s.Revision!] == 0))
        {
            ready.Enqueue(script, (script.CreateDate ?? DateTime.MinValue, script.Revision!));
        }

        var ordered = new List<MigrationScript>(scripts.Count);
        while (ready.TryDequeue(out var next, out _))
        {
            ordered.Add(next);
            foreach (var dependent in dependents[next.Revision!])
            {
                if (--pending[dependent] == 0)
                {
                    var script = byId[dependent];
                    ready.Enqueue(script, (script.CreateDate ?? DateTime.MinValue, script.Revision!));
                }
            }
        }

        if (ordered.Count != scripts.Count)
        {
            var cycle = scripts.Where(s => pending[s.Revision!] > 0).Select(s => s.Revision!).ToList();
            throw new RecoveryException(
                "RevisionCycle",
                FailureKind.InvalidData,
                $"The revisions {string.Join(", ", cycle)} follow each other in a cycle; fix their down_revision.",
                cycle[0]
            );
        }

        return ordered;
    }
}
