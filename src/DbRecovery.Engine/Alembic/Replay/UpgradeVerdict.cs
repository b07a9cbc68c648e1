namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>Whether <c>alembic upgrade</c> will succeed on the database.</summary>
public enum UpgradeVerdict
{
    /// <summary>Every pending operation can be applied to this schema.</summary>
    WillSucceed,

    /// <summary>At least one pending operation fails on this schema.</summary>
    WillFail,

    /// <summary>Nothing is known to fail, but some revisions cannot be predicted statically.</summary>
    Unknown,
}
