using DbRecovery.TestSupport;
using Npgsql;

namespace DbRecovery.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class ConvertIdColumnsCommandTests(PowerShellSession shell) : IncidentDatabaseCommandTest(shell)
{
    [Fact]
    public void Get_RecoveryJournal_filters_by_time_operation_and_target()
    {
        static string Line(string id, string started, string operation, string target) =>
            $"{{\"id\":\"{id}\",\"startedAt\":\"{started}\",\"completedAt\":\"{started}\",\"osUser\":\"ops\",\"target\":\"{target}\",\"operation\":\"{operation}\",\"outcome\":\"Committed\"}}";
        File.WriteAllLines(
            JournalFile,
            [
                Line(
                    "00000000-0000-0000-0000-000000000001",
                    "2026-11-30T08:00:00+00:00",
                    "Convert-IdColumns",
                    "postgresql://ops@prod-db:5432/app"
                ),
                Line(
                    "00000000-0000-0000-0000-000000000002",
                    "2026-12-01T08:00:00+00:00",
                    "Set-AlembicVersion",
                    "postgresql://ops@prod-db:5432/app"
                ),
                Line(
                    "00000000-0000-0000-0000-000000000003",
                    "2026-12-01T09:00:00+00:00",
                    "Convert-IdColumns",
                    "postgresql://ops@staging:5432/app"
                ),
                Line(
                    "00000000-0000-0000-0000-000000000004",
                    "2026-12-01T10:00:00+00:00",
                    "Convert-IdColumns",
                    "postgresql://ops@prod-db:5432/app"
                ),
            ]
        );

        var ids = Shell
            .Run(
                """
                Get-RecoveryJournal -JournalPath $journal -Since ([datetime]::new(2026, 12, 1, 0, 0, 0, [DateTimeKind]::Utc)) -Operation convert-* -Target '*prod-db*' | ForEach-Object { $_.Id.ToString() }
                """,
                Vars
            )
            .ThrowOnError()
            .Output.Select(o => o.ToString());

        Assert.Equal(["00000000-0000-0000-0000-000000000004"], ids);
    }

    [Fact]
    public async Task WhatIf_prints_every_statement_of_the_script_and_Confirm_asks_once()
    {
        var script = (string)
            Shell
                .Run("Convert-IdColumns -ConnectionString $url -Table users, organizations -AsScript", Vars)
                .ThrowOnError()
                .Output.Single()
                .BaseObject;
        Shell.Run("Convert-IdColumns -ConnectionString $url -Table users, organizations -WhatIf", Vars).ThrowOnError();
        var whatIf = string.Join("\n", Shell.Host.Lines);

        Assert.StartsWith(
            "What if: -- Convert key columns and every column that references them (DbRecovery)",
            whatIf,
            StringComparison.Ordinal
        );
        var statements = script
            .Split('\n')
            .Select(l => l.TrimEnd())
            .Where(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(statements, l => l.Contains("VALIDATE CONSTRAINT", StringComparison.Ordinal));
        Assert.Contains(statements, l => l.StartsWith("ANALYZE", StringComparison.Ordinal));
        Assert.All(statements, l => Assert.Contains(l, whatIf, StringComparison.Ordinal));
        Assert.Empty(Shell.Host.Prompts);

        Shell
            .Run(
                "Convert-IdColumns -ConnectionString $url -Table users, organizations -JournalPath $journal -Confirm",
                Vars
            )
            .ThrowOnError();
        var prompt = Assert.Single(Shell.Host.Prompts);
        Assert.Equal("Convert key columns and every column that references them", prompt.Caption);
        Assert.Matches(
            @"^Convert key columns and every column that references them: \d+ statement\(s\) in one transaction, \d+ after COMMIT on (audit|public)\.\w+, .* Run it\?$",
            prompt.Message
        );
        Assert.Equal("uuid", await TypeOfAsync("users", "id"));
        Assert.False(File.Exists(JournalFile));
    }

    [Fact]
    public async Task Tables_piped_from_Get_SchemaState_are_converted_with_everything_that_references_them()
    {
        var whatIf = Shell
            .Run("Convert-IdColumns -ConnectionString $url -Table users, organizations -WhatIf", Vars)
            .ThrowOnError();
        Assert.Empty(whatIf.Output);
        Assert.Equal("uuid", await TypeOfAsync("users", "id"));

        var result = Shell
            .Run(
                """
                Get-SchemaState -ConnectionString $url | ForEach-Object Tables | Where-Object Name -In 'users', 'organizations' |
                    Convert-IdColumns -ConnectionString $url -To 'varchar(36)' -JournalPath $journal -Confirm:$false -Verbose
                """,
                Vars
            )
            .ThrowOnError();

        Assert.Equal(IncidentSchema.LinkedColumns.Length, result.Output.Count);
        Assert.All(result.Output, o =>
            Assert.Equal("DbRecovery.Engine.Conversion.ColumnConversion", o.BaseObject.GetType().FullName)
        );
        Assert.Equal("character varying(36)", await TypeOfAsync("audit.events", "actor_id"));
        Assert.Equal("uuid", await TypeOfAsync("tasks", "owner_id"));
        Assert.Contains(result.Warnings, w => w.StartsWith("public.tasks.owner_id", StringComparison.Ordinal));
        Assert.Contains(result.Verbose, v =>
            v.Contains("rewritten once under an ACCESS EXCLUSIVE lock", StringComparison.Ordinal)
        );
        Assert.Contains(result.Verbose, v =>
            v.StartsWith("ALTER TABLE \"public\".\"deals\"", StringComparison.Ordinal)
        );
        // Every long phase reports progress: the fingerprint under SHARE locks, the statements, the checks before
        // COMMIT, the validations after it.
        var activities = result
            .Progress.Where(p => p.RecordType != System.Management.Automation.ProgressRecordType.Completed)
            .Select(p => p.Activity)
            .Distinct()
            .ToList();
        Assert.Contains(activities, a =>
            a.StartsWith("Fingerprinting the converted columns", StringComparison.Ordinal)
        );
        Assert.Contains(activities, a =>
            a.StartsWith("Checking the converted values before COMMIT", StringComparison.Ordinal)
        );
        Assert.Contains(activities, a => a.EndsWith(": after COMMIT", StringComparison.Ordinal));
        Assert.Single(result.Progress.Select(p => p.ActivityId).Distinct());
        Assert.DoesNotContain(Database.Settings.Password!, result.AllText, StringComparison.Ordinal);

        var again = Shell
            .Run(
                "Convert-IdColumns -ConnectionString $url -Table users, organizations -JournalPath $journal "
                    + "-Confirm:$false",
                Vars
            )
            .ThrowOnError();
        Assert.Empty(again.Output);
        Assert.Contains(again.Warnings, w => w.StartsWith("Nothing to convert", StringComparison.Ordinal));
        var journal = Shell.Run("Get-RecoveryJournal -JournalPath $journal", Vars).ThrowOnError();
        Assert.Equal("Committed", Assert.Single(journal.Output).Properties["Outcome"].Value);
    }

    [Fact]
    public async Task AsScript_writes_the_conversion_and_its_inverse_and_changes_nothing()
    {
        var script = Shell
            .Run("Convert-IdColumns -ConnectionString $url -Table users, organizations -AsScript", Vars)
            .ThrowOnError()
            .Output.Single()
            .ToString();
        var inverse = Shell
            .Run("Convert-IdColumns -ConnectionString $url -Table users, organizations -AsScript -Inverse", Vars)
            .ThrowOnError()
            .Output.Single()
            .ToString();

        Assert.StartsWith("-- Convert key columns", script, StringComparison.Ordinal);
        Assert.Contains("ALTER COLUMN \"owner_id\" TYPE character varying(36)", script, StringComparison.Ordinal);
        Assert.Contains("VALIDATE CONSTRAINT", script, StringComparison.Ordinal);
        Assert.Contains("ALTER COLUMN \"owner_id\" TYPE uuid", inverse, StringComparison.Ordinal);
        Assert.Equal("uuid", await TypeOfAsync("users", "id"));

        await Database.ExecuteAsync(script);
        Assert.Equal("character varying(36)", await TypeOfAsync("deals", "owner_id"));
        await Database.ExecuteAsync(inverse);
        Assert.Equal("uuid", await TypeOfAsync("deals", "owner_id"));
    }

    [Theory]
    [InlineData("-Table nosuch", "TableNotFound")]
    [InlineData("-Table users -To 'varchar(10)'", "TargetTypeTooShort")]
    [InlineData("-Table users -Column nosuch", "ColumnNotFound")]
    [InlineData("-Table deals -Column owner_id", "NotAKey")]
    public async Task Bad_input_gets_a_stable_error_id_and_changes_nothing(string arguments, string errorId)
    {
        var result = Shell.Run($"Convert-IdColumns -ConnectionString $url {arguments} -Confirm:$false", Vars);

        Assert.Equal(
            $"{errorId},DbRecovery.Commands.ConvertIdColumnsCommand",
            result.SingleError().FullyQualifiedErrorId
        );
        Assert.Equal("uuid", await TypeOfAsync("users", "id"));
    }

    [Fact]
    public async Task A_second_recovery_fails_at_once_while_another_holds_the_lock()
    {
        await using var other = await Database.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(4927591537710167666)", other))
        {
            await take.ExecuteNonQueryAsync();
        }

        var result = Shell.Run(
            "Convert-IdColumns -ConnectionString $url -Table users -JournalPath $journal -Confirm:$false",
            Vars
        );

        var error = result.SingleError();
        Assert.Equal("RecoveryInProgress,DbRecovery.Commands.ConvertIdColumnsCommand", error.FullyQualifiedErrorId);
        Assert.Contains($"pid {other.ProcessID}", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("uuid", await TypeOfAsync("users", "id"));
    }

    [Fact]
    public async Task Names_complete_on_tab_from_the_database_on_the_command_line_in_a_fresh_session()
    {
        await Database.ExecuteAsync(
            "CREATE TABLE audit.alembic_version (version_num varchar(32) PRIMARY KEY); CREATE ROLE "
                + "dbr_completion_reader"
        );
        try
        {
            using var fresh = new PowerShellSession();
            var result = fresh
                .Run(
                    """
                    function Complete($line) { ([System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText) -join ',' }
                    Complete "Convert-IdColumns -ConnectionString '$url' -Table dea"
                    Complete "Convert-IdColumns -ConnectionString '$url' -Table au"
                    Complete "Convert-IdColumns -ConnectionString '$url' -Table deals -Column o"
                    Complete "Convert-IdColumns -ConnectionString '$url' -Table public.dea"
                    Complete "Convert-IdColumns -ConnectionString '$url' -Table public."
                    Complete "Convert-IdColumns -ConnectionString '$url' -Table public.deals -Column "
                    Complete "Get-SchemaState -ConnectionString '$url' -Schema a"
                    Complete "Reset-DatabasePassword -ConnectionString '$url' -Role dbr_compl"
                    Complete "Get-AlembicVersion -ConnectionString '$url' -VersionTable a"
                    Complete "Convert-IdColumns -ConnectionString 'postgresql://nobody@127.0.0.1:1/none' -Table dea"
                    """,
                    Vars
                )
                .ThrowOnError();

            var tables = result.Output[4].ToString().Split(',');
            Assert.Equal(
                [
                    "deal_watchers,deals",
                    "audit.alembic_version,audit.events",
                    "organization_id,owner_id",
                    "public.deal_watchers,public.deals",
                    "id,organization_id,created_by,updated_by,owner_id,assignee_id",
                    "audit",
                    "dbr_completion_reader",
                    "audit.alembic_version",
                    string.Empty,
                ],
                result.Output.Where((_, i) => i != 4).Select(o => o.ToString())
            );
            Assert.Contains("public.users", tables);
            Assert.All(tables, t => Assert.StartsWith("public.", t, StringComparison.Ordinal));
        }
        finally
        {
            await Database.ExecuteAsync("DROP ROLE dbr_completion_reader");
        }
    }
}
