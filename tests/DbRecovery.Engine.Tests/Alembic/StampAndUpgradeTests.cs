using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Alembic;

public sealed class StampAndUpgradeTests : DatabaseTest, IDisposable
{
    private readonly AlembicTestProject _project = AlembicHistories.Incident(new AlembicTestProject());
    private readonly string _journalPath = Path.Combine(Path.GetTempPath(), $"dbr-journal-{Guid.NewGuid():N}.jsonl");

    public void Dispose()
    {
        _project.Dispose();
        File.Delete(_journalPath);
    }

    private ConnectionTarget Target => ConnectionTarget.Parse(Database.Url);

    private JournalContext Journal(bool forced = false) =>
        new(
            new RecoveryJournal(_journalPath),
            "Set-AlembicVersion",
            new Dictionary<string, string> { ["Revision"] = "x" },
            forced
        );

    private AlembicCli Cli => AlembicCli.For(_project.Root, AlembicTestProject.AlembicCommand, "DATABASE_URL");

    private StaticReplay Replay => StaticReplay.Run(AlembicHistory.Load(_project.Root, Log));

    private Task<StampPlan> PlanAsync(string revision, IReadOnlyList<string>? expected = null, bool force = false) =>
        VersionStamp.PlanAsync(
            Target,
            Replay,
            [revision],
            VersionTable.Default,
            expected,
            force,
            Log,
            CancellationToken.None
        );

    [Fact]
    public async Task Stamping_the_inferred_revision_lets_real_alembic_upgrade_to_head()
    {
        _project.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);
        await Database.ExecuteAsync($"UPDATE alembic_version SET version_num = '{AlembicHistories.IncidentHead}'");
        var noOp = _project.Run(Database.Url, "upgrade", "head");
        Assert.Equal(0, noOp.ExitCode);
        Assert.Equal(
            5,
            await Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        );

        var plan = await PlanAsync(AlembicHistories.IncidentTrueRevision);
        var change = await VersionStamp.ApplyAsync(Target, plan, Journal(), Log, CancellationToken.None);
        var history = AlembicHistory.Load(_project.Root, Log);
        var pending = await AlembicUpgrade.PreflightAsync(
            Target,
            history,
            "head",
            VersionTable.Default,
            Log,
            CancellationToken.None
        );
        await AlembicUpgrade.RunAsync(
            Target,
            Cli,
            "head",
            pending,
            VersionTable.Default,
            Journal() with
            {
                Operation = "Invoke-AlembicUpgrade",
            },
            Log,
            CancellationToken.None
        );

        Assert.Equal([AlembicHistories.IncidentHead], change.Previous);
        Assert.Equal([AlembicHistories.IncidentTrueRevision], change.Current);
        Assert.Equal(4, pending.Count);
        Assert.Equal(
            AlembicHistories.IncidentHead,
            await Database.ScalarAsync<string>("SELECT version_num FROM alembic_version")
        );
        Assert.Equal(
            9,
            await Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        );
        Assert.Contains(Log.Messages, m => m.StartsWith("PROGRESS:", StringComparison.Ordinal));
        var entries = new RecoveryJournal(_journalPath).Read();
        Assert.Equal(["Committed", "Committed"], entries.Select(e => e.Outcome));
        Assert.Contains(entries[0].Sql, s =>
            s
            == "INSERT INTO \"public\".\"alembic_version\" (version_num) VALUES "
                + $"('{AlembicHistories.IncidentTrueRevision}')"
        );
        Assert.All(entries, e =>
            Assert.DoesNotContain(
                Database.Settings.Password!,
                e.Target + string.Join(" ", e.Sql),
                StringComparison.Ordinal
            )
        );
        Assert.DoesNotContain(Database.Settings.Password!, Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_to_stamp_a_revision_the_schema_does_not_match_unless_forced()
    {
        _project.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);

        var error = await Assert.ThrowsAsync<RecoveryException>(() => PlanAsync(AlembicHistories.IncidentHead));
        var forced = await PlanAsync(AlembicHistories.IncidentHead, force: true);
        var unchecked_ = await Assert.ThrowsAsync<RecoveryException>(() =>
            VersionStamp.ApplyAsync(Target, forced with { Forced = false }, Journal(), Log, CancellationToken.None)
        );

        Assert.Equal("SchemaDoesNotMatchRevision", error.ErrorId);
        Assert.Contains("MissingTable public.folders", error.Message, StringComparison.Ordinal);
        Assert.Equal("SchemaDoesNotMatchRevision", unchecked_.ErrorId);
        Assert.Empty(new RecoveryJournal(_journalPath).Read());
        await VersionStamp.ApplyAsync(Target, forced, Journal(), Log, CancellationToken.None);
        Assert.True(Assert.Single(new RecoveryJournal(_journalPath).Read()).Forced);
        Assert.Contains("-Force", Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_and_swap_refuses_when_the_rows_changed_and_changes_nothing()
    {
        _project.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);
        var plan = await PlanAsync(AlembicHistories.IncidentTrueRevision);
        await Database.ExecuteAsync("UPDATE alembic_version SET version_num = 'someone-else'");

        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            VersionStamp.ApplyAsync(Target, plan, Journal(), Log, CancellationToken.None)
        );

        Assert.Equal("VersionChanged", error.ErrorId);
        Assert.Contains("someone-else", error.Message, StringComparison.Ordinal);
        Assert.Equal("someone-else", await Database.ScalarAsync<string>("SELECT version_num FROM alembic_version"));
        Assert.Equal("RolledBack", Assert.Single(new RecoveryJournal(_journalPath).Read()).Outcome);
    }

    [Fact]
    public async Task Creates_the_version_table_as_alembic_does_when_absent()
    {
        await Database.ExecuteAsync(
            "CREATE TABLE organizations (id varchar(36) PRIMARY KEY DEFAULT gen_random_uuid(), name varchar(200) NOT "
                + "NULL)"
        );

        var plan = await PlanAsync("1a2b3c4d5e6f");
        await VersionStamp.ApplyAsync(Target, plan, Journal(), Log, CancellationToken.None);

        Assert.False(plan.VersionTableExists);
        Assert.Equal("1a2b3c4d5e6f", await Database.ScalarAsync<string>("SELECT version_num FROM alembic_version"));
        Assert.Equal(
            "alembic_version_pkc",
            await Database.ScalarAsync<string>(
                "SELECT conname::text FROM pg_constraint WHERE conrelid = 'alembic_version'::regclass"
            )
        );
    }

    [Fact]
    public async Task A_second_recovery_fails_at_once_while_the_lock_is_held()
    {
        await using var holder = await DatabaseSession.OpenAsync(Target, Log, CancellationToken.None);
        await RecoveryLock.AcquireAsync(holder, CancellationToken.None);
        var plan = await PlanAsync("1a2b3c4d5e6f", force: true);

        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            VersionStamp.ApplyAsync(Target, plan, Journal(), Log, CancellationToken.None)
        );

        Assert.Equal("RecoveryInProgress", error.ErrorId);
        Assert.Contains("held by pid", error.Message, StringComparison.Ordinal);
        Assert.Empty(new RecoveryJournal(_journalPath).Read());
    }

    [Fact]
    public async Task Upgrade_preflight_refuses_a_stamp_the_history_does_not_know()
    {
        _project.Upgrade(Database.Url, "1a2b3c4d5e6f");
        await Database.ExecuteAsync("UPDATE alembic_version SET version_num = 'deadbeef0000'");

        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            AlembicUpgrade.PreflightAsync(
                Target,
                AlembicHistory.Load(_project.Root, Log),
                "head",
                VersionTable.Default,
                Log,
                CancellationToken.None
            )
        );

        Assert.Equal("StampNotInHistory", error.ErrorId);
    }

    [Fact]
    public async Task A_failing_upgrade_reports_alembics_error_without_the_password()
    {
        using var drifted = AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)");
        drifted.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);
        var history = AlembicHistory.Load(_project.Root, Log);
        var pending = await AlembicUpgrade.PreflightAsync(
            Target,
            history,
            "head",
            VersionTable.Default,
            Log,
            CancellationToken.None
        );

        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            AlembicUpgrade.RunAsync(
                Target,
                Cli,
                "head",
                pending,
                VersionTable.Default,
                Journal() with
                {
                    Operation = "Invoke-AlembicUpgrade",
                },
                Log,
                CancellationToken.None
            )
        );

        Assert.Equal("AlembicUpgradeFailed", error.ErrorId);
        Assert.Contains("incompatible types", error.Message, StringComparison.Ordinal);
        var entry = Assert.Single(new RecoveryJournal(_journalPath).Read());
        Assert.Equal(
            "External step failed (exit 1); database state: public.alembic_version reads "
                + $"[{AlembicHistories.IncidentTrueRevision}]; revisions before the failing one stay applied when the "
                + "project commits per migration",
            entry.Outcome
        );
        Assert.Contains("incompatible types", entry.Error, StringComparison.Ordinal);
        Assert.Contains(" upgrade head", Assert.Single(entry.Sql), StringComparison.Ordinal);
        Assert.DoesNotContain(Database.Settings.Password!, error.Message + Log.All, StringComparison.Ordinal);
        Assert.Equal(
            AlembicHistories.IncidentTrueRevision,
            await Database.ScalarAsync<string>("SELECT version_num FROM alembic_version")
        );
    }

    [Fact]
    public async Task Sql_mode_returns_the_offline_script_and_changes_nothing()
    {
        _project.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);

        var script = await AlembicUpgrade.ScriptAsync(
            Target,
            Cli,
            VersionTable.Default,
            "head",
            Log,
            CancellationToken.None
        );

        Assert.Contains("CREATE TABLE folders", script, StringComparison.Ordinal);
        Assert.Contains("UPDATE alembic_version SET version_num='dc2c0f69c1b1'", script, StringComparison.Ordinal);
        Assert.Equal(0, await Database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'folders'"));
    }

    [Fact]
    public async Task Exact_replay_snapshots_each_revision_reports_the_ones_alembic_cannot_apply_and_leaves_the_scratch_empty()
    {
        using var drifted = AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)");
        var history = AlembicHistory.Load(drifted.Root, Log);
        var cli = AlembicCli.For(drifted.Root, AlembicTestProject.AlembicCommand, "DATABASE_URL");

        var result = await AlembicReplay.RunAsync(history, cli, Target, history.Heads, Log, CancellationToken.None);

        Assert.Equal(9, result.Schemas.Count);
        Assert.Equal(["d4e5f6a7b8c9"], result.Failures.Keys);
        Assert.Contains("incompatible types", result.Failures["d4e5f6a7b8c9"], StringComparison.Ordinal);
        Assert.Equal(
            "uuid",
            result.Schemas[AlembicHistories.IncidentTrueRevision].FindTable("public", "users")!.FindColumn("id")!.Type
        );

        Assert.Equal(
            0L,
            await Database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        );
        var again = await AlembicReplay.RunAsync(history, cli, Target, history.Heads, Log, CancellationToken.None);
        Assert.Equal(result.Schemas.Keys.Order(), again.Schemas.Keys.Order());
    }

    [Fact]
    public async Task Exact_replay_ranks_like_the_static_one()
    {
        _project.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);
        await Database.ExecuteAsync($"UPDATE alembic_version SET version_num = '{AlembicHistories.IncidentHead}'");
        var actual = await SnapshotAsync();
        await using var scratch = await Database.Server.CreateDatabaseAsync();
        var history = AlembicHistory.Load(_project.Root, Log);

        var exact = await AlembicReplay.RunAsync(
            history,
            Cli,
            ConnectionTarget.Parse(scratch.Url),
            history.Heads,
            Log,
            CancellationToken.None
        );
        var top = RevisionRanker.Rank(StaticReplay.Run(history), exact.Schemas, actual, 3)[0];

        Assert.Equal(13, exact.Schemas.Count);
        Assert.Equal(AlembicHistories.IncidentTrueRevision, top.Revision);
        Assert.Equal(1.0, top.Score);
    }

    [Fact]
    public async Task Exact_replay_resets_the_scratch_database_between_branches()
    {
        using var branched = AlembicHistories.BranchAndMerge(new AlembicTestProject());
        branched.Upgrade(Database.Url, "bbbb0005");
        branched.Upgrade(Database.Url, "cccc0004");
        var actual = await SnapshotAsync();
        await using var scratch = await Database.Server.CreateDatabaseAsync();
        var history = AlembicHistory.Load(branched.Root, Log);
        var cli = AlembicCli.For(branched.Root, AlembicTestProject.AlembicCommand, "DATABASE_URL");

        var exact = await AlembicReplay.RunAsync(
            history,
            cli,
            ConnectionTarget.Parse(scratch.Url),
            history.Heads,
            Log,
            CancellationToken.None
        );
        var top = RevisionRanker.Rank(StaticReplay.Run(history), exact.Schemas, actual, 3)[0];

        Assert.Equal(7, exact.Schemas.Count);
        Assert.Empty(exact.Failures);
        Assert.DoesNotContain(exact.Schemas["cccc0004"].Tables, t => t.Name == "invoices");
        Assert.Contains(exact.Schemas["bbbb0005"].Tables, t => t.Name == "invoices");
        Assert.Equal("mmmm0006", top.Revision);
    }
}
