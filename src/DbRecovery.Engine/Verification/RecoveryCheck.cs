namespace DbRecovery.Engine.Verification;

/// <summary>One item of the post-recovery checklist.</summary>
/// <param name="Name">What was checked, e.g. <c>AlembicAtHead</c>.</param>
/// <param name="Status">Pass, Fail or Warning.</param>
/// <param name="Detail">What was found.</param>
/// <param name="Target">What it was checked on.</param>
public sealed record RecoveryCheck(string Name, string Status, string Detail, string Target)
{
    /// <inheritdoc />
    public override string ToString() => $"{Status} {Name}: {Detail}";
}
