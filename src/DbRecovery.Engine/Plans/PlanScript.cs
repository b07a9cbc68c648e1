using System.Globalization;
using System.Text;

namespace DbRecovery.Engine.Plans;

/// <summary>
/// A plan as text a reviewer reads and could run: the transaction with its lock timeout, the statements,
/// what runs after COMMIT, and the external commands. -WhatIf, -AsScript and the confirmation prompt all
/// come from here, so they cannot disagree.
/// </summary>
public static class PlanScript
{
    /// <summary>The whole plan as an SQL script; external commands appear as comments, in their place.</summary>
    public static string Render(IOperationPlan plan, TimeSpan lockTimeout)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var script = new StringBuilder().AppendLine("-- " + plan.Operation + " (DbRecovery)");
        var phase = (StepPhase?)null;
        foreach (var step in plan.Steps)
        {
            if (step.Phase != phase)
            {
                if (phase == StepPhase.InTransaction)
                {
                    script.AppendLine("COMMIT;");
                }

                script.Append(
                    step.Phase switch
                    {
                        StepPhase.InTransaction => new StringBuilder()
                            .AppendLine("BEGIN;")
                            .AppendLine(
                                string.Create(
                                    CultureInfo.InvariantCulture,
                                    $"SET LOCAL lock_timeout = '{(int)lockTimeout.TotalMilliseconds}ms';"
                                )
                            )
                            .ToString(),
                        StepPhase.AfterCommit =>
                            "-- After COMMIT, each in its own transaction, still under DbRecovery's lock:"
                                + Environment.NewLine,
                        StepPhase.Online => new StringBuilder()
                            .AppendLine(
                                "-- Online, each step on its own and committed before the next, under DbRecovery's "
                                    + "lock; a lock not granted within lock_timeout is retried with backoff:"
                            )
                            .AppendLine(
                                string.Create(
                                    CultureInfo.InvariantCulture,
                                    $"SET lock_timeout = '{(int)lockTimeout.TotalMilliseconds}ms';"
                                )
                            )
                            .ToString(),
                        _ => "-- Outside any transaction, under DbRecovery's lock:" + Environment.NewLine,
                    }
                );
                phase = step.Phase;
            }

            script.AppendLine("-- " + step.Action);
            script.AppendLine(step.Scripted);
        }

        if (phase == StepPhase.InTransaction)
        {
            script.AppendLine("COMMIT;");
        }

        return script.ToString();
    }

    /// <summary>One line for a confirmation prompt: how many statements, in which phases, on which objects.</summary>
    public static string Summarize(IOperationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var inTransaction = plan.Steps.Count(s => s.Phase == StepPhase.InTransaction);
        var online = plan.Steps.Count(s => s.Phase == StepPhase.Online);
        var after = plan.Steps.Count(s => s.Phase == StepPhase.AfterCommit);
        var external = plan.Steps.OfType<ExternalStep>().Select(s => s.Command.Program).ToList();
        var objects = plan.Steps.SelectMany(s => s.Targets).Distinct().ToList();
        var parts = new List<string>();
        if (online > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{online} online step(s) each on its own"));
        }

        if (inTransaction > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{inTransaction} statement(s) in one transaction"));
        }

        if (after > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{after} after COMMIT"));
        }

        if (external.Count > 0)
        {
            parts.Add("then run " + string.Join(", ", external));
        }

        var shown =
            string.Join(", ", objects.Take(6))
            + (
                objects.Count > 6
                    ? string.Create(CultureInfo.InvariantCulture, $" and {objects.Count - 6} more")
                    : string.Empty
            );
        return $"{plan.Operation}: {string.Join(", ", parts)} on {shown}.";
    }
}
