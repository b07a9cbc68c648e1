using System.Text.Json.Serialization;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// One step of a recovery plan, carrying what it acts on. Its command is rendered once, from that data: the plan
/// shows it, the script of <see cref="RecoveryScript"/> runs it, and Invoke-RecoveryPlan does what it says.
/// </summary>
[JsonConverter(typeof(RecoveryStepJsonConverter))]
public abstract record RecoveryStep
{
    /// <summary>Its place in the plan, from 1.</summary>
    public required int Order { get; init; }

    /// <summary>What it does.</summary>
    public abstract RecoveryStepKind Kind { get; }

    /// <summary>What it does, in a sentence.</summary>
    public required string Description { get; init; }

    /// <summary>The DbRecovery command a person would type to do it (connection parameters left out).</summary>
    public string Command => Invocation(null);

    /// <summary>Whether it changes the database.</summary>
    public virtual bool ChangesDatabase => false;

    /// <summary>
    /// The command with <paramref name="connection"/> (a splat such as <c>@database</c>) after the cmdlet's name.
    /// </summary>
    public abstract string Invocation(string? connection);

    /// <summary>The step as a line of the recovery script, on <paramref name="connection"/>.</summary>
    public virtual string ScriptLine(string connection, bool rehearse) =>
        "$null = " + Invocation(connection) + (ChangesDatabase ? " -Confirm:$false" : string.Empty);

    /// <inheritdoc />
    public override string ToString() => $"{Order}. {Description}";

    /// <summary><paramref name="cmdlet"/>, the connection splat if any, then <paramref name="arguments"/>.</summary>
    protected static string Cmdlet(string cmdlet, string? connection, string arguments) =>
        cmdlet
        + (connection is null ? string.Empty : " " + connection)
        + (arguments.Length == 0 ? string.Empty : " " + arguments);

    /// <summary>A PowerShell single-quoted string.</summary>
    protected internal static string Quote(string value) =>
        "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A list of PowerShell single-quoted strings, comma-separated.</summary>
    protected static string QuoteAll(IEnumerable<string> values) => string.Join(",", values.Select(Quote));
}
