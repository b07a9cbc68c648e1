namespace DbRecovery.Engine.Planning;

/// <summary>What a step of the recovery does.</summary>
public enum RecoveryStepKind
{
    /// <summary>Back the database up (pg_dump with a manifest).</summary>
    Backup,

    /// <summary>Prove the backup restores and matches.</summary>
    ProveBackup,

    /// <summary>Convert key columns and everything that references them.</summary>
    Convert,

    /// <summary>Set alembic_version to the revision the schema really is at.</summary>
    Stamp,

    /// <summary>Run alembic upgrade to the target.</summary>
    Upgrade,

    /// <summary>Run the post-recovery checklist.</summary>
    Verify,
}
