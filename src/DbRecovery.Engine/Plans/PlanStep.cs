namespace DbRecovery.Engine.Plans;

/// <summary>One step of a state-changing plan: what it changes, what it does, and the exact SQL.</summary>
/// <param name="Target">The object it changes, for display and confirmation.</param>
/// <param name="Action">What it does, in words.</param>
/// <param name="Sql">The statement(s), with <c>$1</c>, <c>$2</c>… for <paramref name="Parameters"/>.</param>
/// <param name="Parameters">Values of the positional parameters.</param>
public sealed record PlanStep(string Target, string Action, string Sql, IReadOnlyList<string>? Parameters = null)
{
    /// <summary>The SQL with its parameter values shown, for -WhatIf, scripts and the journal.</summary>
    public string DisplaySql => Parameters is null || Parameters.Count == 0
        ? Sql
        : Parameters.Select((value, i) => (value, i)).Reverse()
            .Aggregate(Sql, (sql, p) => sql.Replace($"${p.i + 1}", "'" + p.value.Replace("'", "''", StringComparison.Ordinal) + "'", StringComparison.Ordinal));

    /// <inheritdoc />
    public override string ToString() => $"{Action} ({Target}): {DisplaySql}";
}
