namespace DbRecovery.Engine.Diagnostics;

/// <summary>How the engine reports to its host while it works (a cmdlet maps these to its streams).</summary>
public interface IRecoveryLog
{
    /// <summary>Detail for the curious, such as the SQL being run.</summary>
    void Verbose(string message);

    /// <summary>Something the user should know that does not stop the work.</summary>
    void Warning(string message);

    /// <summary>Progress of a long operation.</summary>
    void Progress(ProgressReport report);
}
