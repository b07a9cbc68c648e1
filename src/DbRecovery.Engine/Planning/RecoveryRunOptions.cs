using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Journal;

namespace DbRecovery.Engine.Planning;

/// <summary>What executing a recovery plan needs besides the plan.</summary>
public sealed record RecoveryRunOptions
{
    /// <summary>A new folder for the backup taken before the first change.</summary>
    public required string BackupPath { get; init; }

    /// <summary>An empty database to prove the backup in (and to rehearse on).</summary>
    public required ConnectionTarget Scratch { get; init; }

    /// <summary>How to run Alembic.</summary>
    public required AlembicCli Cli { get; init; }

    /// <summary>pg_dump, pg_restore and psql.</summary>
    public required PgTools Tools { get; init; }

    /// <summary>The journal and what it records of this run; each step is journaled as its own entry.</summary>
    public required JournalContext Journal { get; init; }

    /// <summary>Run the whole plan on a copy restored from the backup first.</summary>
    public bool Rehearse { get; init; }

    /// <summary>Parallel pg_dump and pg_restore workers.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;
}
