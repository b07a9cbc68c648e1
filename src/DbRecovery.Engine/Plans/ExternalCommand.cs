namespace DbRecovery.Engine.Plans;

/// <summary>An external program a step runs. Secrets reach it through its environment, never its arguments.</summary>
/// <param name="Program">The program (or the first word of the command).</param>
/// <param name="Arguments">Its arguments.</param>
public sealed record ExternalCommand(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>The command line as a reader would type it.</summary>
    public override string ToString() => string.Join(' ', new[] { Program }.Concat(Arguments).Select(Quote));

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./:=,@+".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
