using System.Management.Automation;
using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class AlembicCommandTests(PowerShellSession shell) : IAsyncLifetime
{
    private readonly AlembicTestProject _project = AlembicHistories.Incident(new AlembicTestProject());
    private readonly string _journal = Path.Combine(Path.GetTempPath(), $"dbr-journal-{Guid.NewGuid():N}.jsonl");
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    private Dictionary<string, object?> Vars =>
        new()
        {
            ["url"] = Database.Url,
            ["project"] = _project.Root,
            ["journal"] = _journal,
            ["alembic"] = AlembicTestProject.AlembicCommand,
        };

    public async Task InitializeAsync()
    {
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        _project.Upgrade(Database.Url, AlembicHistories.IncidentTrueRevision);
        await Database.ExecuteAsync($"UPDATE alembic_version SET version_num = '{AlembicHistories.IncidentHead}'");
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        _project.Dispose();
        File.Delete(_journal);
    }

    [Fact]
    public void Get_AlembicHistory_lists_revisions_in_order_with_heads()
    {
        var result = shell
            .Run("Get-AlembicHistory -Path $project | Where-Object IsHead | ForEach-Object Revision", Vars)
            .ThrowOnError();
        var all = shell.Run("(Get-AlembicHistory $project).Count", Vars).ThrowOnError();

        Assert.Equal([AlembicHistories.IncidentHead], result.Output.Select(o => o.ToString()));
        Assert.Equal(13, all.Output.Single().BaseObject);
    }

    [Fact]
    public void The_incident_is_diagnosed_restamped_and_upgraded_through_the_pipeline()
    {
        var found = shell
            .Run(
                "$script:match = (Find-AlembicRevision -Path $project -ConnectionString $url)[0]; $match.Revision; "
                    + "$match.Explanation",
                Vars
            )
            .ThrowOnError();
        Assert.Equal(AlembicHistories.IncidentTrueRevision, found.Output[0].ToString());
        Assert.StartsWith(
            "alembic_version says dc2c0f69c1b1, but the schema matches c3a7b4bbf913",
            found.Output[1].ToString(),
            StringComparison.Ordinal
        );

        shell
            .Run(
                "$match | Set-AlembicVersion -Path $project -ConnectionString $url -JournalPath $journal -WhatIf",
                Vars
            )
            .ThrowOnError();
        var whatIf = string.Join("\n", shell.Host.Lines);
        Assert.StartsWith(
            "What if: -- Stamp public.alembic_version with c3a7b4bbf913",
            whatIf,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "LOCK TABLE \"public\".\"alembic_version\" IN EXCLUSIVE MODE;",
            whatIf,
            StringComparison.Ordinal
        );
        Assert.Contains("DELETE FROM \"public\".\"alembic_version\";", whatIf, StringComparison.Ordinal);
        Assert.Contains(
            "INSERT INTO \"public\".\"alembic_version\" (version_num) VALUES "
                + $"('{AlembicHistories.IncidentTrueRevision}');",
            whatIf,
            StringComparison.Ordinal
        );
        Assert.Contains("COMMIT;", whatIf, StringComparison.Ordinal);
        Assert.Empty(shell.Host.Prompts);
        Assert.Equal(
            AlembicHistories.IncidentHead,
            shell
                .Run("(Get-AlembicVersion -ConnectionString $url).Revision", Vars)
                .ThrowOnError()
                .Output.Single()
                .ToString()
        );

        shell
            .Run(
                "$match | Set-AlembicVersion -Path $project -ConnectionString $url -JournalPath $journal -Confirm",
                Vars
            )
            .ThrowOnError();
        var prompt = Assert.Single(shell.Host.Prompts);
        Assert.Equal($"Stamp public.alembic_version with {AlembicHistories.IncidentTrueRevision}", prompt.Caption);
        Assert.Contains(
            "3 statement(s) in one transaction on public.alembic_version. Run it?",
            prompt.Message,
            StringComparison.Ordinal
        );
        Assert.False(File.Exists(_journal));

        var stamped = shell
            .Run(
                "$match | Set-AlembicVersion -Path $project -ConnectionString $url -JournalPath $journal "
                    + "-Confirm:$false",
                Vars
            )
            .ThrowOnError();
        Assert.Equal(
            "DbRecovery.Engine.Alembic.AlembicVersionChange",
            stamped.Output.Single().BaseObject.GetType().FullName
        );

        var upgraded = shell
            .Run(
                "Invoke-AlembicUpgrade -Path $project -ConnectionString $url -AlembicCommand $alembic -JournalPath "
                    + "$journal -Confirm:$false -Verbose",
                Vars
            )
            .ThrowOnError();
        Assert.Equal(
            new[] { AlembicHistories.IncidentHead },
            ((IEnumerable<string>)upgraded.Output.Single().Properties["Current"].Value).ToArray()
        );
        Assert.Contains(upgraded.Verbose, v => v.Contains("Running upgrade", StringComparison.Ordinal));
        Assert.NotEmpty(upgraded.Progress);
        Assert.DoesNotContain(Database.Settings.Password!, upgraded.AllText, StringComparison.Ordinal);

        var again = shell
            .Run("(Find-AlembicRevision -Path $project -ConnectionString $url)[0]", Vars)
            .ThrowOnError()
            .Output.Single();
        Assert.Equal(AlembicHistories.IncidentHead, again.Properties["Revision"].Value);
        Assert.Equal(true, again.Properties["IsStamped"].Value);
        var journal = shell
            .Run(
                "Get-RecoveryJournal -JournalPath $journal | ForEach-Object { '{0} {1}' -f $_.Operation, $_.Outcome }",
                Vars
            )
            .ThrowOnError();
        Assert.Equal(
            ["Set-AlembicVersion Committed", "Invoke-AlembicUpgrade Committed"],
            journal.Output.Select(o => o.ToString())
        );
    }

    [Fact]
    public void Piping_the_ranked_candidates_is_refused_before_any_stamp_and_one_candidate_brings_its_project()
    {
        var all = shell.Run(
            "Push-Location $HOME; try { Find-AlembicRevision -Path $project -ConnectionString $url | "
                + "Set-AlembicVersion -ConnectionString $url -JournalPath $journal -Confirm:$false } finally { "
                + "Pop-Location }",
            Vars
        );

        var error = all.SingleError();
        Assert.Equal("SeveralInputsPiped,DbRecovery.Commands.SetAlembicVersionCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(
            "5 objects were piped into Set-AlembicVersion, which changes the database for one; nothing was changed. "
                + "Pick one: ... | Select-Object -First 1, or name the revision with -Revision.",
            error.Exception.Message
        );
        Assert.Equal(
            AlembicHistories.IncidentHead,
            shell
                .Run("(Get-AlembicVersion -ConnectionString $url).Revision", Vars)
                .ThrowOnError()
                .Output.Single()
                .ToString()
        );
        Assert.False(File.Exists(_journal));

        var one = shell
            .Run(
                "Push-Location $HOME; try { Find-AlembicRevision -Path $project -ConnectionString $url | "
                    + "Select-Object -First 1 | Set-AlembicVersion -ConnectionString $url -JournalPath $journal "
                    + "-Confirm:$false } finally { Pop-Location }",
                Vars
            )
            .ThrowOnError();

        Assert.Equal(
            new[] { AlembicHistories.IncidentTrueRevision },
            ((IEnumerable<string>)one.Output.Single().Properties["Current"].Value).ToArray()
        );
    }

    [Fact]
    public void A_stamp_that_does_not_match_the_schema_is_refused_with_a_stable_error_id()
    {
        var result = shell.Run(
            "Set-AlembicVersion -Path $project -ConnectionString $url -Revision "
                + $"{AlembicHistories.IncidentHead[..6]} -JournalPath $journal -Confirm:$false",
            Vars
        );

        var error = result.SingleError();
        Assert.Equal(
            "SchemaDoesNotMatchRevision,DbRecovery.Commands.SetAlembicVersionCommand",
            error.FullyQualifiedErrorId
        );
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.False(File.Exists(_journal));
    }

    [Theory]
    [InlineData(
        "Set-AlembicVersion -Path $project -ConnectionString $url -Revision nosuchrev -Confirm:$false",
        "RevisionNotFound,DbRecovery.Commands.SetAlembicVersionCommand"
    )]
    [InlineData(
        "Get-AlembicHistory -Path ($project + '/nowhere')",
        "AlembicProjectNotFound,DbRecovery.Commands.GetAlembicHistoryCommand"
    )]
    [InlineData(
        "Invoke-AlembicUpgrade -Path $project -ConnectionString $url -Revision zzz -AlembicCommand $alembic "
            + "-Confirm:$false",
        "RevisionNotFound,DbRecovery.Commands.InvokeAlembicUpgradeCommand"
    )]
    [InlineData(
        "Get-RevisionSchema -Path $project -Revision head -Replay -ScratchConnectionString $url -AlembicCommand "
            + "$alembic",
        "ScratchNotEmpty,DbRecovery.Commands.GetRevisionSchemaCommand"
    )]
    [InlineData(
        "Find-AlembicRevision -Path $project -ConnectionString $url -Replay -ScratchConnectionString $url "
            + "-AlembicCommand $alembic",
        "ScratchNotEmpty,DbRecovery.Commands.FindAlembicRevisionCommand"
    )]
    public void Bad_input_gets_a_specific_error_and_changes_nothing(string script, string errorId)
    {
        var result = shell.Run(script, Vars);

        Assert.Equal(errorId, result.SingleError().FullyQualifiedErrorId);
        Assert.Equal(
            AlembicHistories.IncidentHead,
            shell
                .Run("(Get-AlembicVersion -ConnectionString $url).Revision", Vars)
                .ThrowOnError()
                .Output.Single()
                .ToString()
        );
    }

    [Fact]
    public async Task Replay_leaves_the_scratch_database_empty_after_success_failure_and_ctrl_c()
    {
        await using var scratch = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var vars = new Dictionary<string, object?>(Vars)
        {
            ["scratch"] = scratch.Url,
            ["backup"] = Path.Combine(Path.GetTempPath(), $"dbr-replay-{Guid.NewGuid():N}"),
        };
        async Task<long> TablesAsync() =>
            await scratch.ScalarAsync<long>(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            );

        for (var run = 0; run < 2; run++)
        {
            var found = shell
                .Run(
                    "(Find-AlembicRevision -Path $project -ConnectionString $url -Replay -ScratchConnectionString "
                        + "$scratch -AlembicCommand $alembic -Top 1).Revision",
                    vars
                )
                .ThrowOnError();
            Assert.Equal(AlembicHistories.IncidentTrueRevision, found.Output.Single().ToString());
            Assert.Equal(0, await TablesAsync());
        }

        // Under uuid ids the revisions after the true one fail in Alembic: a failed revision is not left behind either.
        using var drifted = AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)");
        vars["drifted"] = drifted.Root;
        var schema = shell.Run(
            "Get-RevisionSchema -Path $drifted -Revision head -Replay -ScratchConnectionString $scratch "
                + "-AlembicCommand $alembic -WarningAction SilentlyContinue",
            vars
        );
        Assert.NotEmpty(schema.Output);
        Assert.Equal(0, await TablesAsync());

        // The replay runs in one Python process and is quick: a slow last revision makes sure Ctrl+C comes while it
        // runs.
        using var slow = AlembicHistories
            .Incident(new AlembicTestProject())
            .Revision("ff00ee11dd22", AlembicHistories.IncidentHead, """op.execute("SELECT pg_sleep(4)")""", "slow");
        vars["slow"] = slow.Root;
        var stopped = shell.RunAndStop(
            "Find-AlembicRevision -Path $slow -ConnectionString $url -Replay -ScratchConnectionString $scratch "
                + "-AlembicCommand $alembic",
            TimeSpan.FromSeconds(3),
            vars
        );
        Assert.IsType<PipelineStoppedException>(stopped.Ended);
        Assert.Equal(0, await TablesAsync());

        var proof = shell
            .Run(
                "Backup-Database -ConnectionString $url -Path $backup | Test-DatabaseBackup -ScratchConnectionString "
                    + "$scratch | ForEach-Object Passed",
                vars
            )
            .ThrowOnError();
        Assert.Equal(true, proof.Output.Single().BaseObject);
        Directory.Delete((string)vars["backup"]!, recursive: true);
    }

    [Fact]
    public void Snapshots_and_revision_schemas_compare_and_find_without_a_connection()
    {
        var result = shell.Run(
            """
            $snapshot = Get-SchemaState -ConnectionString $url
            $expected = Get-RevisionSchema -Path $project -Revision head
            $differences = Compare-SchemaState -Reference $expected -Difference $snapshot
            ($differences | Where-Object Kind -eq MissingTable | ForEach-Object Table) -join ','
            ($snapshot | Find-AlembicRevision -Path $project -Top 1).Revision
            """,
            Vars
        );

        Assert.Equal(
            "folders,pipeline_template_stages,pipeline_templates,rbac_audit_logs",
            result.ThrowOnError().Output[0].ToString()
        );
        Assert.Equal(AlembicHistories.IncidentTrueRevision, result.Output[1].ToString());
    }

    [Fact]
    public void Revision_completes_on_tab_from_the_history_of_a_path_relative_to_the_prompt_location()
    {
        var result = shell
            .Run(
                """
                Push-Location (Split-Path $project)
                try {
                    $line = "Set-AlembicVersion -Path '$(Split-Path -Leaf $project)' -Revision c3"
                    [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText
                }
                finally {
                    Pop-Location
                }
                """,
                Vars
            )
            .ThrowOnError();

        Assert.Equal([AlembicHistories.IncidentTrueRevision], result.Output.Select(o => o.ToString()));
    }
}
