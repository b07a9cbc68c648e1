using System.Text.RegularExpressions;
using DbRecovery.Demo;

namespace DbRecovery.Tests;

/// <summary>
/// The watchable demo, run as the README says, shows every stage an operator looks at and ends with the verdict.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_shows_the_drift_the_evidence_the_plan_the_checks_the_journal_and_a_verdict()
    {
        using var output = new StringWriter();

        var exitCode = await IncidentDemo.RunAsync(output);

        var text = Regex.Replace(output.ToString(), @"\x1b\[[0-9;]*m", string.Empty);
        var flowing = Regex.Replace(text, @"\s+", " ");
        Assert.True(exitCode == 0, text);
        string[] stages =
        [
            "1. What alembic_version claims",
            "2. The drift",
            "3. The revision the schema really is at",
            "4. The plan",
            "5. The recovery",
            "6. The checklist",
            "7. The journal",
            "Verdict",
        ];
        Assert.Equal(stages, stages.Where(s => text.Contains("== " + s, StringComparison.Ordinal)));
        Assert.Matches(@"Table: public\.folders\s+Kind\s+Object\s+Expected\s+Actual\s+[- ]+\s+MissingTable", text);
        Assert.Matches(@"TypeMismatch\s+id\s+character\s+uuid", text);
        Assert.Matches(@"Explanation : alembic_version says dc2c0f69c1b1, but the schema .*c3a7b4bbf913", flowing);
        Assert.Matches(@"Committed\s+rehearsal\s+False\s+Invoke-RecoveryPlan: Upgrade", text);
        Assert.Matches(@"Committed\s+database\s+False\s+Invoke-RecoveryPlan: Upgrade", text);

        // Read in a log (80 columns, as the demo's redirected output is): no column dropped, no word split.
        Assert.DoesNotMatch(@"charac\s*\n\s*ter", text);
        Assert.DoesNotMatch(@"pipeline_templ\s*\n", text);
        Assert.All(text.Split('\n').Where(l => !l.StartsWith("RECOVERED", StringComparison.Ordinal)), l =>
            Assert.True(l.TrimEnd().Length <= 80, l)
        );
        Assert.Contains("The demo leaves nothing behind", text, StringComparison.Ordinal);
        Assert.Matches(
            new Regex(
                @"^RECOVERED: postgresql://\S+ is at dc2c0f69c1b1, \d+ checks pass, backup at \S+before-repair\.$",
                RegexOptions.Multiline
            ),
            text
        );
    }
}
