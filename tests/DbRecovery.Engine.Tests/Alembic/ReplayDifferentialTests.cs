using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.TestSupport;
using Xunit.Abstractions;

namespace DbRecovery.Engine.Tests.Alembic;

/// <summary>
/// Keeps the static replay honest: for each history, real Alembic upgrades a scratch database one revision
/// at a time (the <c>-Replay</c> machinery and the same catalog reader), and the schema the static replay
/// expects must be identical to the one Alembic built, at every revision.
/// </summary>
public sealed class ReplayDifferentialTests(ITestOutputHelper output) : DatabaseTest
{
    private const string NamingConvention = """
        {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s", "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"}
        """;

    public static TheoryData<string> Histories =>
        [
            "incident",
            "incident-uuid",
            "branch-and-merge",
            "batch-rename-execute",
            "look-alikes",
            "sweep",
            "sweep-convention-in-env",
            "sweep-convention-in-module",
            "library-types",
            "raw-sql-indexes",
            "gnocchi",
            "mistral",
            "ironic",
            "manila",
            "neutron",
        ];

    [Theory]
    [MemberData(nameof(Histories))]
    public async Task The_static_replay_equals_real_alembic_at_every_revision(string name)
    {
        using var project = Build(name);
        var history = AlembicHistory.Load(project.Root, Log);
        var cli = AlembicCli.For(project.Root, AlembicTestProject.AlembicCommand, "DATABASE_URL");

        var exact = await AlembicReplay.RunAsync(
            history,
            cli,
            ConnectionTarget.Parse(Database.Url),
            history.Heads,
            Log,
            CancellationToken.None
        );
        var replay = StaticReplay.Run(history);

        var expectedFailures = name == "incident-uuid" ? 1 : 0;
        Assert.True(
            exact.Failures.Count == expectedFailures,
            string.Join("\n", exact.Failures.Select(f => $"{f.Key}: {f.Value}"))
        );
        // A difference is reported at the first revision that shows it, with the file to look at.
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var revision in history.Revisions.Where(r => exact.Schemas.ContainsKey(r.Revision)))
        {
            foreach (
                var difference in SchemaComparer.Compare(
                    replay.SchemaOf(revision.Revision),
                    exact.Schemas[revision.Revision]
                )
            )
            {
                first.TryAdd(difference.ToString(), $"{revision.Revision} ({Path.GetFileName(revision.Path)})");
            }
        }

        var unknown = history.Revisions.Select(r => replay.SchemaOf(r.Revision)).ToList();
        output.WriteLine(
            $"{name}: {exact.Schemas.Count} revisions compared, {first.Count} distinct differences; "
                + $"{unknown.Count(s => s.Unknown.Count > 0)} revisions with parts the replay cannot know "
                + $"({unknown.Sum(s => s.Unknown.Count)} of {unknown.Sum(s => s.Tables.Count)} table states, "
                + $"{unknown.Sum(s => s.Unknown.Count(u => u.Parts == UnknownParts.All))} of them whole)"
        );
        Assert.True(
            first.Count == 0,
            "the static replay differs from real Alembic:\n"
                + string.Join("\n", first.Select(d => $"{d.Value}: {d.Key}"))
        );

        // Each snapshot is a database real Alembic built at a known revision: ranked against the history, that
        // revision scores exactly 1 with nothing listed, and the revisions scoring 1 are exactly those whose
        // real schemas are identical to it.
        var wrong = new List<string>();
        foreach (var (revision, built) in exact.Schemas)
        {
            var ranked = RevisionRanker.Rank(replay, built, top: history.Revisions.Count + 1);
            var best = ranked.Where(m => m.Score == 1).Select(m => m.Revision).Order(StringComparer.Ordinal).ToList();
            // Identical as far as the replay can know: the parts of tables it cannot know are not compared.
            var identical = exact
                .Schemas.Where(o =>
                    SchemaComparer.Compare(o.Value with { Unknown = replay.SchemaOf(o.Key).Unknown }, built).Count == 0
                )
                .Select(o => o.Key)
                .Order(StringComparer.Ordinal)
                .ToList();
            var top = ranked[0];
            if (
                !best.SequenceEqual(identical)
                || top.Missing.Count + top.Extra.Count + top.ColumnDifferences.Count + top.TypeMismatches.Count > 0
                || !top.Revisions.Concat(top.EquallyLikely).Order(StringComparer.Ordinal).SequenceEqual(identical)
            )
            {
                var missed = ranked
                    .Where(m => identical.Except(best).Contains(m.Revision))
                    .Select(m => $"{m.Revision} {m.Score}: {m.Explanation}");
                wrong.Add(
                    $"built at {revision}: scoring 1 [{string.Join(", ", best)}], identical "
                        + $"[{string.Join(", ", identical)}], first {top} with {top.Explanation}"
                        + string.Concat(missed.Select(m => "\n    " + m))
                );
            }
        }

        Assert.True(wrong.Count == 0, "ranking a database real Alembic built:\n" + string.Join("\n", wrong));
    }

    private static AlembicTestProject Build(string name) =>
        name switch
        {
            "incident" => AlembicHistories.Incident(new AlembicTestProject()),
            "incident-uuid" => AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)"),
            "branch-and-merge" => AlembicHistories.BranchAndMerge(new AlembicTestProject()),
            "batch-rename-execute" => AlembicHistories.BatchRenameExecute(new AlembicTestProject()),
            "look-alikes" => AlembicHistories.LookAlikes(new AlembicTestProject()),
            "library-types" => AlembicHistories.LibraryTypes(new AlembicTestProject()),
            "raw-sql-indexes" => AlembicHistories.RawSqlIndexes(new AlembicTestProject()),
            "gnocchi" => PublicHistory.Gnocchi.CreateProject(),
            "mistral" => PublicHistory.Mistral.CreateProject(),
            "ironic" => PublicHistory.Ironic.CreateProject(),
            "manila" => PublicHistory.Manila.CreateProject(),
            "neutron" => PublicHistory.Neutron.CreateProject(),
            "sweep" => AlembicSweep.Write(new AlembicTestProject()),
            "sweep-convention-in-env" => AlembicSweep.Write(
                new AlembicTestProject(
                    $"from sqlalchemy import MetaData\ntarget_metadata = MetaData(naming_convention={NamingConvention})"
                )
            ),
            _ => AlembicSweep.Write(
                new AlembicTestProject("from sweepapp.models import Base\ntarget_metadata = Base.metadata")
                    .Module("sweepapp/__init__.py", string.Empty)
                    .Module(
                        "sweepapp/models.py",
                        "from sqlalchemy import MetaData\nfrom sqlalchemy.orm import declarative_base\n\nNAMING = "
                            + $"{NamingConvention}\nBase = "
                            + "declarative_base(metadata=MetaData(naming_convention=NAMING))\n"
                    )
            ),
        };
}
