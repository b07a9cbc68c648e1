using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// The schema every revision of a history should have, by replaying the operations read from the
/// migration files. A revision starts from the schema of one of its parents and applies only the
/// revisions that parent lacks, so a whole history replays in one pass.
/// </summary>
public sealed class StaticReplay
{
    private readonly string _defaultSchema;
    private readonly SchemaModel[] _models;
    private readonly List<string>[] _notes;
    private readonly Dictionary<TableModel, TableState> _tableStates = new(ReferenceEqualityComparer.Instance);

    private StaticReplay(AlembicHistory history, string defaultSchema, SchemaModel[] models, List<string>[] notes)
    {
        _defaultSchema = defaultSchema;
        History = history;
        _models = models;
        _notes = notes;
    }

    /// <summary>The history replayed.</summary>
    public AlembicHistory History { get; }

    /// <summary>
    /// Replays <paramref name="history"/>; unqualified tables go to <paramref name="defaultSchema"/>.
    /// </summary>
    public static StaticReplay Run(AlembicHistory history, string defaultSchema = "public")
    {
        ArgumentNullException.ThrowIfNull(history);
        var revisions = history.Revisions;
        var models = new SchemaModel[revisions.Count];
        var notes = new List<string>[revisions.Count];
        var naming = new ObjectNaming(history.NamingConvention);
        for (var i = 0; i < revisions.Count; i++)
        {
            notes[i] = [];
            var parents = AlembicHistory.Parents(revisions[i]).Select(history.IndexOf).ToList();
            var start = parents.Count == 0 ? -1 : parents.MaxBy(p => Count(history.AncestorSet(p)));
            var model = start < 0 ? new SchemaModel(defaultSchema, naming) : models[start].Clone();
            var target = history.AncestorSet(i);
            var done = start < 0 ? null : history.AncestorSet(start);
            for (var k = 0; k <= i; k++)
            {
                if (target[k] && (done is null || !done[k]))
                {
                    ApplyRevision(model, revisions[k], notes[i]);
                }
            }

            models[i] = model;
        }

        return new StaticReplay(history, defaultSchema, models, notes);
    }

    /// <summary>The expected schema at <paramref name="revision"/>.</summary>
    public SchemaState SchemaOf(string revision) => SchemaOf([revision]);

    /// <summary>The expected schema with all of <paramref name="revisions"/> applied (several heads).</summary>
    public SchemaState SchemaOf(IReadOnlyList<string> revisions) =>
        Expected(revisions).ToState($"static replay of {string.Join(" + ", revisions)}");

    /// <summary>
    /// What the replay could not apply up to <paramref name="revision"/> (operations on missing tables, …).
    /// </summary>
    public IReadOnlyList<string> NotesOf(string revision) => _notes[History.IndexOf(revision)];

    /// <summary>
    /// The expected tables of a revision (or of several heads together). A table no operation touched
    /// between two revisions is the same object in both, so whatever is computed about it can be reused.
    /// </summary>
    internal ExpectedSchema Expected(IReadOnlyList<string> revisions)
    {
        var model = revisions.Count == 1 ? _models[History.IndexOf(revisions[0])] : CombinedModel(revisions);
        var tables = model.Tables.ToDictionary(t => (t.Schema, t.Name), TableStateOf);
        return new(revisions, tables, model.Enums.ToList(), model.Unknown);
    }

    private TableState TableStateOf(TableModel model)
    {
        if (!_tableStates.TryGetValue(model, out var state))
        {
            _tableStates[model] = state = model.ToTableState();
        }

        return state;
    }

    private SchemaModel CombinedModel(IReadOnlyList<string> revisions)
    {
        var model = new SchemaModel(_defaultSchema, new ObjectNaming(History.NamingConvention));
        var wanted = revisions.Select(History.IndexOf).ToList();
        for (var k = 0; k < History.Revisions.Count; k++)
        {
            if (wanted.Any(w => History.AncestorSet(w)[k]))
            {
                ApplyRevision(model, History.Revisions[k], []);
            }
        }

        return model;
    }

    private static void ApplyRevision(SchemaModel model, AlembicRevision revision, List<string> notes)
    {
        foreach (var operation in revision.Operations)
        {
            string? note;
            try
            {
                note = model.Apply(operation);
            }
            catch (Exception ex)
                when (ex
                        is NullReferenceException
                            or InvalidOperationException
                            or ArgumentException
                            or KeyNotFoundException
                )
            {
                // A shape the replay does not model must not stop a plan: it is a note (and a replay defect to fix).
                note = $"the replay could not apply {operation.GetType().Name} ({ex.GetType().Name}: {ex.Message})";
            }

            if (note is not null)
            {
                notes.Add($"{revision.Revision} line {operation.Line}: {note}");
            }
        }
    }

    private static int Count(System.Collections.BitArray bits)
    {
        var count = 0;
        for (var k = 0; k < bits.Count; k++)
        {
            count += bits[k] ? 1 : 0;
        }

        return count;
    }
}
