using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Alembic;

public sealed class AlembicHistoryTests : IDisposable
{
    private readonly AlembicTestProject _project = new();
    private readonly EngineLog _log = new();

    public void Dispose() => _project.Dispose();

    private AlembicHistory Load() => AlembicHistory.Load(_project.Root, _log);

    [Fact]
    public void Orders_revisions_and_finds_heads_bases_merges_and_branch_points_in_nested_folders()
    {
        AlembicHistories.BranchAndMerge(_project);
        _project.Revision("yyyy0008", "zzzz0007", "pass", subfolder: "release-2");
        File.WriteAllText(Path.Combine(_project.VersionsDirectory, "__init__.py"), "revision = 'not-a-migration'\n");
        File.WriteAllText(Path.Combine(_project.VersionsDirectory, "README"), "notes\n");
        File.WriteAllText(Path.Combine(_project.VersionsDirectory, "helpers.py"), "def util():\n    pass\n");

        var history = Load();

        Assert.Equal(8, history.Revisions.Count);
        Assert.Equal(["yyyy0008"], history.Heads);
        Assert.Equal(["base0001"], history.Bases);
        Assert.True(history.Resolve("mmmm0006").IsMerge);
        Assert.True(history.Resolve("aaaa0002").IsBranchPoint);
        var order = history.Revisions.Select(r => r.Revision).ToList();
        Assert.True(
            order.IndexOf("bbbb0005") < order.IndexOf("mmmm0006")
                && order.IndexOf("cccc0004") < order.IndexOf("mmmm0006")
        );
        Assert.Equal(
            ["base0001", "aaaa0002", "bbbb0003", "bbbb0005"],
            history.Ancestors("bbbb0005").Select(r => r.Revision)
        );
        Assert.True(history.IsAncestor("cccc0004", "zzzz0007"));
        Assert.False(history.IsAncestor("cccc0004", "bbbb0005"));
        Assert.Equal(["cccc0004", "mmmm0006"], history.Path("bbbb0005", "mmmm0006").Select(r => r.Revision));
        Assert.Contains("helpers.py has no revision", _log.All, StringComparison.Ordinal);
    }

    [Fact]
    public void Constants_assigned_in_the_projects_own_modules_are_resolved_and_others_stay_warnings()
    {
        // Shaped like neutron: the labels live in a module of the package the versions folder sits in.
        _project
            .Module("neutron/__init__.py", string.Empty)
            .Module("neutron/db/__init__.py", string.Empty)
            .Module("neutron/db/migration/__init__.py", string.Empty)
            .Module(
                "neutron/db/migration/cli.py",
                "import os\n\nCONTRACT_BRANCH = 'contract'\nEXPAND_BRANCH = \"expand\"\nBASE = KILO = 'kilo'\n"
            )
            .Module(
                "migrations/versions/001_kilo.py",
                "revision = 'kilo'\ndown_revision = None\n\ndef upgrade():\n    pass\n"
            )
            .Module(
                "migrations/versions/002_contract.py",
                """
                from neutron.db.migration import cli
                from neutron.db.migration.cli import EXPAND_BRANCH as EXPAND
                from somewhere.installed import MAGIC

                LOCAL = 'contract0001'
                revision = LOCAL
                down_revision = cli.BASE
                branch_labels = (cli.CONTRACT_BRANCH, EXPAND, MAGIC)

                def upgrade():
                    pass
                """.Replace("                ", string.Empty, StringComparison.Ordinal)
            );

        var history = Load();

        var contract = history.Resolve("contract0001");
        Assert.Equal(["contract", "expand"], contract.BranchLabels);
        Assert.Equal(["kilo"], contract.DownRevisions);
        Assert.Equal(
            $"{Path.Combine(_project.VersionsDirectory, "002_contract.py")}:8: branch_labels uses MAGIC, which "
                + "cannot be resolved without running Python; it is left out",
            Assert.Single(history.Warnings)
        );
    }

    [Fact]
    public void Resolves_prefixes_head_and_reports_unknown_or_ambiguous_ids()
    {
        AlembicHistories.BranchAndMerge(_project);
        var history = Load();

        Assert.Equal("zzzz0007", history.Resolve("head").Revision);
        Assert.True(history.Resolve("zzzz0007").IsHead);
        Assert.Equal("mmmm0006", history.Resolve("mmmm").Revision);
        Assert.Equal("RevisionNotFound", Assert.Throws<RecoveryException>(() => history.Resolve("nope")).ErrorId);
        Assert.Equal("AmbiguousRevision", Assert.Throws<RecoveryException>(() => history.Resolve("bbbb")).ErrorId);
    }

    [Theory]
    [InlineData("a1", "b2", "b2", "a1", "RevisionCycle")]
    [InlineData("a1", null, "b2", "zz", "UnknownDownRevision")]
    [InlineData("a1", null, "a1", null, "DuplicateRevision")]
    public void A_broken_graph_is_a_clear_error(
        string first,
        string? firstDown,
        string second,
        string? secondDown,
        string errorId
    )
    {
        _project.Revision(first, firstDown, "pass").Revision(second, secondDown, "pass");

        var error = Assert.Throws<RecoveryException>(Load);

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(FailureKind.InvalidData, error.Kind);
    }

    [Fact]
    public void Replays_batch_operations_renames_and_execute_ddl()
    {
        AlembicHistories.BatchRenameExecute(_project);
        var replay = StaticReplay.Run(Load());

        var schema = replay.SchemaOf("r1000004");

        Assert.Equal(["Audit Log", "persons"], schema.Tables.Select(t => t.Name));
        var persons = schema.FindTable("public", "persons")!;
        Assert.Equal(["id", "full_name", "age", "email"], persons.Columns.Select(c => c.Name));
        Assert.Equal("character varying(320)", persons.FindColumn("email")!.Type);
        Assert.Contains(persons.Indexes, i => i.Name == "ix_persons_email" && i.IsUnique);
        Assert.Equal(["id", "actor", "at"], schema.FindTable("public", "Audit Log")!.Columns.Select(c => c.Name));
        Assert.Equal(["people"], replay.SchemaOf("r1000001").Tables.Select(t => t.Name));
        Assert.Empty(replay.NotesOf("r1000004"));
    }

    [Fact]
    public void Replays_the_incident_history_with_key_types_foreign_keys_and_postgres_names()
    {
        AlembicHistories.Incident(_project);
        var history = Load();
        var replay = StaticReplay.Run(history);

        var truth = replay.SchemaOf(AlembicHistories.IncidentTrueRevision);
        var head = replay.SchemaOf(AlembicHistories.IncidentHead);

        Assert.Equal(["comments", "deals", "documents", "organizations", "users"], truth.Tables.Select(t => t.Name));
        Assert.Equal(9, head.Tables.Count);
        var users = truth.FindTable("public", "users")!;
        Assert.Equal("character varying(36)", users.FindColumn("id")!.Type);
        Assert.False(users.FindColumn("id")!.IsNullable);
        Assert.Equal(["id"], users.PrimaryKey!.Columns);
        Assert.Contains(users.Indexes, i => i.Name == "users_email_key" && i.IsUnique);
        var fk = Assert.Single(users.ForeignKeys);
        Assert.Equal(
            ("users_organization_id_fkey", "organizations", ReferentialAction.Cascade),
            (fk.Name, fk.ReferencedTable, fk.OnDelete)
        );
        Assert.Equal(1, history.Resolve(AlembicHistories.IncidentDataOnly).OpaqueOperations);
        Assert.Equal("deal stage", history.Resolve(AlembicHistories.IncidentTrueRevision).Message);
    }
}
