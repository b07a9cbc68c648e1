using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Comparison;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Alembic;

/// <summary>Real Alembic brings a real database to a known revision; the stamp is then set to head by hand.</summary>
public sealed class RevisionInferenceTests : DatabaseTest, IDisposable
{
    private readonly AlembicTestProject _project = new();

    public void Dispose() => _project.Dispose();

    private async Task<IReadOnlyList<RevisionMatch>> RankAsync(AlembicTestProject? history = null)
    {
        var replay = StaticReplay.Run(AlembicHistory.Load((history ?? _project).Root, Log));
        return RevisionRanker.Rank(replay, await SnapshotAsync(), top: 5);
    }

    private Task StampByHandAsync(string revision) =>
        Database.ExecuteAsync($"UPDATE alembic_version SET version_num = '{revision}'");

    [Fact]
    public async Task Finds_the_true_revision_of_the_incident_and_explains_it()
    {
        AlembicHistories.Incident(_project);
        _project.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);
        await StampByHandAsync(AlembicHistories.IncidentHead);

        var matches = await RankAsync();

        var top = matches[0];
        Assert.Equal(AlembicHistories.IncidentTrueRevision, top.Revision);
        Assert.Equal(1.0, top.Score);
        Assert.False(top.IsStamped);
        Assert.Empty(top.TypeMismatches);
        Assert.Equal(
            "alembic_version says dc2c0f69c1b1, but the schema matches c3a7b4bbf913: all 5 tables it defines exist "
                + "and none of the 4 tables added after it "
                + "(folders, pipeline_template_stages, pipeline_templates, rbac_audit_logs) do.",
            top.Explanation
        );
        var stamped = Assert.Single(await RankAsync(), m => m.Revision == AlembicHistories.IncidentTrueRevision);
        Assert.True(stamped.Score > matches[1].Score);
    }

    [Fact]
    public async Task Revisions_with_identical_schemas_are_reported_as_equally_likely()
    {
        AlembicHistories.Incident(_project);
        _project.Upgrade(Database.Url, AlembicHistories.IncidentDataOnly);
        await StampByHandAsync(AlembicHistories.IncidentHead);

        var top = (await RankAsync())[0];

        Assert.Equal(1.0, top.Score);
        var pair = new[] { top.Revision }.Concat(top.EquallyLikely).Order(StringComparer.Ordinal);
        Assert.Equal([AlembicHistories.IncidentDataOnly, "7a8b9c0d1e2f"], pair);
        Assert.Contains("equally likely", top.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Type_only_drift_does_not_derail_the_inference_and_is_reported()
    {
        using var drifted = new AlembicTestProject();
        AlembicHistories.Incident(drifted, "postgresql.UUID(as_uuid=True)");
        drifted.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);
        AlembicHistories.Incident(_project);
        await StampByHandAsync(AlembicHistories.IncidentHead);

        var matches = await RankAsync();
        var top = matches[0];

        Assert.Equal(AlembicHistories.IncidentTrueRevision, top.Revision);
        Assert.InRange(top.Score, matches[1].Score + 0.01, 0.99);
        Assert.Contains("the schema comes closest to c3a7b4bbf913", top.Explanation, StringComparison.Ordinal);
        Assert.Contains(top.TypeMismatches, d =>
            d.Table == "users" && d.Column == "id" && d.Actual == "uuid" && d.Expected == "character varying(36)"
        );
        Assert.Equal(12, top.TypeMismatches.Count);
        Assert.Contains("differ only in type", top.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handles_branches_and_merges()
    {
        AlembicHistories.BranchAndMerge(_project);
        _project.Upgrade(Database.Url, "bbbb0005");
        _project.Upgrade(Database.Url, "cccc0004");
        await Database.ExecuteAsync("DELETE FROM alembic_version; INSERT INTO alembic_version VALUES ('zzzz0007')");

        var matches = await RankAsync();

        Assert.Equal("mmmm0006", matches[0].Revision);
        Assert.Equal(1.0, matches[0].Score);
        var head = Assert.Single(matches, m => m.Revision == "zzzz0007");
        Assert.Equal(["audit"], head.Missing);
        Assert.True(head.IsStamped);
    }

    [Fact]
    public async Task A_single_branch_is_found_without_its_sibling()
    {
        AlembicHistories.BranchAndMerge(_project);
        _project.Upgrade(Database.Url, "bbbb0003");

        var top = (await RankAsync())[0];

        Assert.Equal("bbbb0003", top.Revision);
        Assert.True(top.IsStamped);
    }

    [Fact]
    public async Task Handles_batch_operations_renames_and_execute()
    {
        AlembicHistories.BatchRenameExecute(_project);
        _project.Upgrade(Database.Url, "r1000003");
        await StampByHandAsync("r1000004");

        var top = (await RankAsync())[0];

        Assert.Equal("r1000003", top.Revision);
        Assert.Equal(1.0, top.Score);
        Assert.Empty(top.TypeMismatches);
    }
}
