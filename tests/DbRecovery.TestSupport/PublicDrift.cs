namespace DbRecovery.TestSupport;

/// <summary>How a database built from a public history drifted from it.</summary>
public enum PublicDrift
{
    /// <summary>Built to the revision a third of the way, then stamped head by hand (the incident).</summary>
    ThirdStampedHead,

    /// <summary>Built to the revision two thirds of the way, then stamped head by hand.</summary>
    TwoThirdsStampedHead,

    /// <summary>Built to head, then the version table dropped (as create_all() leaves a database).</summary>
    HeadWithoutVersionTable,

    /// <summary>Built two thirds of the way, alembic_version set back to the revision a third of the way.</summary>
    StampedOlder,
}

/// <summary>Builds drifted databases with real Alembic.</summary>
public static class PublicDrifts
{
    /// <summary>
    /// Builds <paramref name="database"/> from <paramref name="project"/> (of <paramref name="history"/>) drifted as
    /// <paramref name="drift"/> says, with the history's seed rows; returns the revisions, base to head.
    /// </summary>
    public static async Task<IReadOnlyList<string>> BuildAsync(
        PublicHistory history,
        AlembicTestProject project,
        TestDatabase database,
        PublicDrift drift
    )
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(database);
        var revisions = PublicHistory.Revisions(project);
        var (third, twoThirds) = (revisions[revisions.Count / 3], revisions[revisions.Count * 2 / 3]);
        project.Upgrade(
            database.Url,
            drift switch
            {
                PublicDrift.ThirdStampedHead => third,
                PublicDrift.HeadWithoutVersionTable => "heads",
                _ => twoThirds,
            }
        );
        await database.ExecuteAsync(
            drift switch
            {
                PublicDrift.HeadWithoutVersionTable => "DROP TABLE alembic_version",
                PublicDrift.StampedOlder => $"UPDATE alembic_version SET version_num = '{third}'",
                _ => $"UPDATE alembic_version SET version_num = '{revisions[^1]}'",
            }
        );
        await database.ExecuteAsync(history.Seed);
        return revisions;
    }
}
