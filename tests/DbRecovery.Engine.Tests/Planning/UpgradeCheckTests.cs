using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Planning;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Planning;

/// <summary>
/// The static upgrade check against real Alembic: for each shape of pending revision, what the static check
/// predicts and what happens when real Alembic runs it on a copy of the schema (the exact mode).
/// </summary>
public sealed class UpgradeCheckTests : IAsyncLifetime
{
    private const string Base = """
        op.create_table("parents", sa.Column("id", postgresql.UUID(), primary_key=True), sa.Column("code", sa.String(36), unique=True))
        op.create_table("kids",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("parent_id", postgresql.UUID(), sa.ForeignKey("parents.id")),
            sa.Column("name", sa.Text()))
        """;

    private readonly EngineLog _log = new();
    private TestDatabase? _database;
    private TestDatabase? _scratch;

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.GetAsync();
        _database = await server.CreateDatabaseAsync();
        _scratch = await server.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        await _database!.DisposeAsync();
        await _scratch!.DisposeAsync();
    }

    public static TheoryData<string, UpgradeFindingKind?, string?> Cases =>
        new()
        {
            {
                """op.create_table("toys", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("parent_id", sa.String(36), sa.ForeignKey("parents.id")))""",
                UpgradeFindingKind.IncompatibleForeignKey,
                "42804"
            },
            {
                """op.create_table("toys", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("parent_code", sa.Text(), sa.ForeignKey("parents.code")))""",
                null,
                null
            },
            {
                """op.create_table("toys", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("parent_id", postgresql.UUID(), sa.ForeignKey("parents.id")))""",
                null,
                null
            },
            {
                """op.create_table("toys", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("kid_name", sa.Text(), sa.ForeignKey("kids.name")))""",
                UpgradeFindingKind.NoUniqueKey,
                "42830"
            },
            { """op.create_foreign_key("fk_kids_code", "kids", "parents", ["name"], ["code"])""", null, null },
            {
                """op.create_table("kids", sa.Column("id", sa.Integer(), primary_key=True))""",
                UpgradeFindingKind.AlreadyExists,
                "42P07"
            },
            { """op.add_column("kids", sa.Column("name", sa.Text()))""", UpgradeFindingKind.AlreadyExists, "42701" },
            { """op.create_index("kids_pkey", "kids", ["name"])""", UpgradeFindingKind.AlreadyExists, "42P07" },
            { """op.add_column("nothing", sa.Column("x", sa.Text()))""", UpgradeFindingKind.Missing, "42P01" },
            { """op.drop_column("kids", "nope")""", UpgradeFindingKind.Missing, "42703" },
            { """op.drop_index("ix_nope", table_name="kids")""", UpgradeFindingKind.Missing, "42704" },
            { """op.alter_column("kids", "name", type_=sa.Integer())""", UpgradeFindingKind.NoAutomaticCast, "42804" },
            { """op.alter_column("kids", "name", type_=sa.Integer(), postgresql_using="length(name)")""", null, null },
            {
                """op.alter_column("parents", "id", type_=sa.String(36))""",
                UpgradeFindingKind.IncompatibleForeignKey,
                "42804"
            },
            { """op.drop_table("parents")""", UpgradeFindingKind.HasDependents, "2BP01" },
            {
                """op.add_column("kids", sa.Column("age", sa.Integer(), nullable=False, server_default="0"))""",
                null,
                null
            },
            { """op.execute("UPDATE kids SET name = upper(name)")""", UpgradeFindingKind.Unpredictable, null },
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_static_check_predicts_what_real_alembic_does(
        string pending,
        UpgradeFindingKind? predicted,
        string? sqlState
    )
    {
        using var project = Project(pending);
        project.Upgrade(_database!.Url, "base0001");
        var (history, target, live) = await ReadAsync(project);

        var report = StaticUpgradeCheck.Run(history, live, ["base0001"], history.Heads);
        var exact = await UpgradeRehearsal.RunAsync(
            target,
            ConnectionTarget.Parse(_scratch!.Url),
            history,
            Cli(project),
            ["base0001"],
            history.Heads,
            "heads",
            PgTools.Locate(null),
            _log,
            CancellationToken.None
        );

        Assert.Equal(["next0002"], report.Revisions);
        Assert.Equal(predicted, report.Findings.SingleOrDefault()?.Kind);
        Assert.Equal(
            predicted is null ? UpgradeVerdict.WillSucceed
                : predicted == UpgradeFindingKind.Unpredictable ? UpgradeVerdict.Unknown
                : UpgradeVerdict.WillFail,
            report.Verdict
        );
        Assert.Equal(sqlState is null ? UpgradeVerdict.WillSucceed : UpgradeVerdict.WillFail, exact.Verdict);
        if (sqlState is not null)
        {
            var failure = Assert.Single(exact.Findings);
            Assert.Equal(
                ("next0002", UpgradeFindingKind.Failed, sqlState),
                (failure.Revision, failure.Kind, failure.SqlState)
            );
            Assert.Contains("psycopg2.errors.", failure.Reason, StringComparison.Ordinal);
        }

        Assert.True(
            ScratchDatabase.IsEmpty(
                await SchemaReader.CaptureAsync(
                    ConnectionTarget.Parse(_scratch.Url),
                    new SchemaReadOptions(),
                    _log,
                    CancellationToken.None
                )
            )
        );
    }

    [Fact]
    public async Task A_not_null_column_without_default_fails_only_on_a_table_with_rows()
    {
        using var project = Project("""op.add_column("kids", sa.Column("age", sa.Integer(), nullable=False))""");
        project.Upgrade(_database!.Url, "base0001");
        var (history, target, live) = await ReadAsync(project);
        var pending = history.Path(["base0001"], history.Heads);
        Assert.Empty(
            StaticUpgradeCheck
                .Run(
                    history,
                    live,
                    ["base0001"],
                    history.Heads,
                    await TableRows.NonEmptyAsync(
                        target,
                        StaticUpgradeCheck.RowSensitiveTables(pending),
                        _log,
                        CancellationToken.None
                    )
                )
                .Findings
        );

        await _database.ExecuteAsync("INSERT INTO kids (id, name) VALUES (1, 'a')");
        var rows = await TableRows.NonEmptyAsync(
            target,
            StaticUpgradeCheck.RowSensitiveTables(pending),
            _log,
            CancellationToken.None
        );
        var finding = Assert.Single(StaticUpgradeCheck.Run(history, live, ["base0001"], history.Heads, rows).Findings);
        Assert.Equal((UpgradeFindingKind.NotNullWithoutDefault, "public.kids.age"), (finding.Kind, finding.Object));
        Assert.NotEqual(0, project.Run(_database.Url, "upgrade", "heads").ExitCode);
    }

    [Fact]
    public async Task The_incident_fails_on_the_first_revision_that_references_a_uuid_key_as_varchar()
    {
        using var project = AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)");
        project.Upgrade(_database!.Url, AlembicHistories.IncidentTrueRevision);
        var (history, target, live) = await ReadAsync(project);

        var report = StaticUpgradeCheck.Run(history, live, [AlembicHistories.IncidentTrueRevision], history.Heads);
        var exact = await UpgradeRehearsal.RunAsync(
            target,
            ConnectionTarget.Parse(_scratch!.Url),
            history,
            Cli(project),
            [AlembicHistories.IncidentTrueRevision],
            history.Heads,
            "heads",
            PgTools.Locate(null),
            _log,
            CancellationToken.None
        );

        Assert.Equal(UpgradeVerdict.WillFail, report.Verdict);
        Assert.Equal(
            [
                "d4e5f6a7b8c9 public.folders.owner_id",
                "e5f6a7b8c9d0 public.pipeline_templates.created_by",
                $"{AlembicHistories.IncidentHead} public.rbac_audit_logs.actor_id",
            ],
            report.Findings.Select(f => $"{f.Revision} {f.Object}")
        );
        Assert.All(report.Findings, f =>
            Assert.Equal(
                ("public", "users", "id", "uuid"),
                (f.ReferencedSchema, f.ReferencedTable, f.ReferencedColumn, f.ReferencedType)
            )
        );
        Assert.Equal(
            "foreign key constraint \"folders_owner_id_fkey\" cannot be implemented: key columns \"owner_id\" and "
                + "\"id\" are of incompatible types: character varying(36) and uuid",
            report.Findings[0].Reason
        );
        var failure = Assert.Single(exact.Findings);
        Assert.Equal(
            ("d4e5f6a7b8c9", "42804", "folders_owner_id_fkey"),
            (failure.Revision, failure.SqlState, failure.Object)
        );
    }

    private static AlembicTestProject Project(string pending) =>
        new AlembicTestProject().Revision("base0001", null, Base).Revision("next0002", "base0001", pending);

    private static AlembicCli Cli(AlembicTestProject project) =>
        AlembicCli.For(project.Root, AlembicTestProject.AlembicCommand, "DATABASE_URL");

    private async Task<(AlembicHistory History, ConnectionTarget Target, SchemaState Live)> ReadAsync(
        AlembicTestProject project
    )
    {
        var target = ConnectionTarget.Parse(_database!.Url);
        var history = AlembicHistory.Load(project.Root, _log);
        return (
            history,
            target,
            await SchemaReader.CaptureAsync(target, new SchemaReadOptions(), _log, CancellationToken.None)
        );
    }
}
