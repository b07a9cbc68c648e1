namespace DbRecovery.Engine.Planning;

/// <summary>Proves the backup restores into the scratch database and matches its manifest.</summary>
public sealed record ProveBackupStep : RecoveryStep
{
    /// <inheritdoc />
    public override RecoveryStepKind Kind => RecoveryStepKind.ProveBackup;

    /// <summary>The proof reads the backup and the scratch database only, so it takes no connection.</summary>
    public override string Invocation(string? connection) =>
        Cmdlet("Test-DatabaseBackup", null, "-Path $BackupPath -ScratchConnectionString $ScratchConnectionString");

    /// <summary>A rehearsal keeps the restored copy to run the steps on.</summary>
    public override string ScriptLine(string connection, bool rehearse) =>
        $"$proof = {Invocation(connection)}{(rehearse ? " -Keep" : string.Empty)}\n"
        + "if (-not $proof.Passed) { throw \"The backup in $BackupPath cannot be trusted: $($proof.Differences -join "
        + "'; ')\" }";
}
