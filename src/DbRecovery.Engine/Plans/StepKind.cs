namespace DbRecovery.Engine.Plans;

/// <summary>What a plan step does, so the executor and reports never have to read it out of the SQL.</summary>
public enum StepKind
{
    /// <summary>Takes table locks.</summary>
    Lock,

    /// <summary>Rewrites a table (ALTER TABLE … TYPE).</summary>
    Rewrite,

    /// <summary>Drops a dependent object that a later step re-creates.</summary>
    Drop,

    /// <summary>Creates or re-creates an object.</summary>
    Create,

    /// <summary>Writes rows (the version table) or settings (a role's password).</summary>
    Write,

    /// <summary>Validates a constraint.</summary>
    Validate,

    /// <summary>Refreshes planner statistics.</summary>
    Analyze,

    /// <summary>Drops objects for good (a restore's -Clean).</summary>
    Destroy,

    /// <summary>Copies values in batches of short transactions, resumable where it stopped.</summary>
    Backfill,

    /// <summary>Builds an index CONCURRENTLY (outside any transaction).</summary>
    Index,

    /// <summary>Puts prepared columns, keys and indexes in place of the originals by renaming: metadata only.</summary>
    Swap,

    /// <summary>Runs an external program (alembic, pg_restore).</summary>
    Command,
}
