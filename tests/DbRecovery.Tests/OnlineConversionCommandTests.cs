using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class OnlineConversionCommandTests(PowerShellSession shell) : IncidentDatabaseCommandTest(shell)
{
    [Fact]
    public async Task Online_refuses_a_materialized_view_naming_the_offline_conversion_then_WhatIf_shows_every_phase_and_it_runs()
    {
        var refused = Shell
            .Run("Convert-IdColumns -ConnectionString $url -Table users, organizations -Online -Confirm:$false", Vars)
            .SingleError();
        Assert.Equal(
            "OnlineConversionBlocked,DbRecovery.Commands.ConvertIdColumnsCommand",
            refused.FullyQualifiedErrorId
        );
        Assert.StartsWith(
            "The online conversion cannot do this safely, so nothing was changed: materialized view "
                + "public.deals_per_owner",
            refused.Exception.Message,
            StringComparison.Ordinal
        );
        await Database.ExecuteAsync("DROP MATERIALIZED VIEW deals_per_owner");

        Shell
            .Run(
                "Convert-IdColumns -ConnectionString $url -Table users, organizations -Online -BatchSize 7 -WhatIf",
                Vars
            )
            .ThrowOnError();
        var whatIf = string.Join("\n", Shell.Host.Lines);
        var result = Shell
            .Run(
                "Convert-IdColumns -ConnectionString $url -Table users, organizations -Online -BatchSize 7 "
                    + "-JournalPath $journal -Confirm:$false -Verbose",
                Vars
            )
            .ThrowOnError();

        Assert.StartsWith(
            "What if: -- Convert key columns and every column that references them, online (DbRecovery)",
            whatIf,
            StringComparison.Ordinal
        );
        Assert.Contains("SET lock_timeout = '500ms';", whatIf, StringComparison.Ordinal);
        Assert.Contains(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"users_pkey__dbr\"",
            whatIf,
            StringComparison.Ordinal
        );
        Assert.Contains("about 7 rows a transaction", whatIf, StringComparison.Ordinal);
        Assert.Contains(
            "ADD CONSTRAINT \"users_pkey\" PRIMARY KEY USING INDEX \"users_pkey__dbr\"",
            whatIf,
            StringComparison.Ordinal
        );
        Assert.Equal(IncidentSchema.LinkedColumns.Length, result.Output.Count);
        Assert.All(result.Output, o =>
            Assert.Equal("DbRecovery.Engine.Conversion.ColumnConversion", o.BaseObject.GetType().FullName)
        );
        Assert.Contains(result.Warnings, w =>
            w.StartsWith("Online, the converted columns move to the end of their tables", StringComparison.Ordinal)
        );
        Assert.Contains(result.Progress, p => p.Activity == "Backfilling public.deals" && p.SecondsRemaining >= 0);
        Assert.Equal("character varying(36)", await TypeOfAsync("deals", "owner_id"));
        Assert.Equal(
            "email",
            await Database.ScalarAsync<string>(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT "
                    + "attisdropped ORDER BY attnum LIMIT 1"
            )
        );
        Assert.DoesNotContain(Database.Settings.Password!, result.AllText, StringComparison.Ordinal);
        var journal = Shell.Run("Get-RecoveryJournal -JournalPath $journal", Vars).ThrowOnError();
        Assert.Equal("Committed", Assert.Single(journal.Output).Properties["Outcome"].Value);
    }

    [Fact]
    public async Task The_journal_of_an_online_conversion_holds_exactly_the_text_WhatIf_printed()
    {
        await Database.ExecuteAsync("DROP MATERIALIZED VIEW deals_per_owner");
        const string convert = "Convert-IdColumns -ConnectionString $url -Table users -Online -BatchSize 7";
        Shell.Run(convert + " -WhatIf", Vars).ThrowOnError();
        var whatIf = string.Join("\n", Shell.Host.Lines);
        Shell.Run(convert + " -JournalPath $journal -Confirm:$false", Vars).ThrowOnError();
        var entry = Assert.Single(Shell.Run("Get-RecoveryJournal -JournalPath $journal", Vars).ThrowOnError().Output);
        var journaled = ((IEnumerable<object>)entry.Properties["Sql"].Value).Select(s => s.ToString()!).ToList();

        var at = 0;
        foreach (var text in journaled)
        {
            var found = whatIf.IndexOf(text, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"the journal holds a statement -WhatIf did not print (after {at}):\n{text}");
            at = found + text.Length;
        }

        Assert.Contains(journaled, s => s.Contains("DO $dbrecovery$", StringComparison.Ordinal));
        Assert.All(journaled.Where(s => s.Contains("$1", StringComparison.Ordinal)), s =>
            Assert.Contains("EXECUTE", s, StringComparison.Ordinal)
        );
        Assert.Equal(
            whatIf.Split("\n").Count(l => l.StartsWith("-- Build ", StringComparison.Ordinal)),
            journaled.Count(s => s.Contains("INDEX CONCURRENTLY", StringComparison.Ordinal))
        );
    }

    [Fact]
    public async Task Abort_shows_and_removes_an_unfinished_online_conversion_and_a_rerun_refuses_another()
    {
        await Database.ExecuteAsync("DROP MATERIALIZED VIEW deals_per_owner");
        var nothing = Shell.Run("Convert-IdColumns -ConnectionString $url -Abort -Confirm:$false", Vars).SingleError();
        var killer = Task.Run(async () =>
        {
            await Database.WaitUntilAsync("EXISTS (SELECT FROM _dbrecovery.online_backfill WHERE rows_done > 0)");
            await Database.ExecuteAsync(
                $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database.Name}' AND "
                    + "application_name = 'DbRecovery'"
            );
        });
        var killed = Shell
            .Run(
                "Convert-IdColumns -ConnectionString $url -Table users, organizations -Online -BatchSize 1 "
                    + "-BatchDelay 0.05 -JournalPath $journal -Confirm:$false",
                Vars
            )
            .SingleError();
        await killer;

        var other = Shell
            .Run("Convert-IdColumns -ConnectionString $url -Table documents -To text -Online -Confirm:$false", Vars)
            .SingleError();
        Shell.Run("Convert-IdColumns -ConnectionString $url -Abort -WhatIf", Vars).ThrowOnError();
        var whatIf = string.Join("\n", Shell.Host.Lines);
        Shell
            .Run("Convert-IdColumns -ConnectionString $url -Abort -JournalPath $journal -Confirm:$false", Vars)
            .ThrowOnError();

        Assert.Equal("NoOnlineConversion,DbRecovery.Commands.ConvertIdColumnsCommand", nothing.FullyQualifiedErrorId);
        Assert.Equal("uuid", await TypeOfAsync("users", "id"));
        Assert.NotNull(killed.Exception);
        Assert.Equal(
            "OnlineConversionInProgress,DbRecovery.Commands.ConvertIdColumnsCommand",
            other.FullyQualifiedErrorId
        );
        Assert.StartsWith("What if: -- Abort the unfinished online conversion", whatIf, StringComparison.Ordinal);
        Assert.Contains("DROP COLUMN IF EXISTS \"id__dbr_new\"", whatIf, StringComparison.Ordinal);
        Assert.Equal(
            0L,
            await Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_attribute WHERE attname LIKE '%\\_\\_dbr\\_new' AND NOT attisdropped"
            )
        );
        Assert.Equal(
            0L,
            await Database.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = '_dbrecovery'")
        );
        Assert.Equal("uuid", await TypeOfAsync("users", "id"));
    }
}
