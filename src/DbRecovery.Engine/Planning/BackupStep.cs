namespace DbRecovery.Engine.Planning;

/// <summary>
/// Backs the database up (pg_dump with a manifest) into the folder the script names <c>$BackupPath</c>.
/// </summary>
public sealed record BackupStep : RecoveryStep
{
    /// <inheritdoc />
    public override RecoveryStepKind Kind => RecoveryStepKind.Backup;

    /// <inheritdoc />
    public override string Invocation(string? connection) => Cmdlet("Backup-Database", connection, "-Path $BackupPath");
}
