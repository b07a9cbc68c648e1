using System.Management.Automation;
using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

/// <summary>
/// Get-RecoveryPlan, Invoke-RecoveryPlan and Test-AlembicUpgrade as cmdlets: what they refuse, what -WhatIf shows,
/// plans read back from text.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class RecoveryPlanCommandTests(PowerShellSession shell) : IAsyncLifetime
{
    private readonly AlembicTestProject _project = new AlembicTestProject(
        targetMetadata: "from app_models import metadata as target_metadata"
    )
        .Revision(
            "acct0001",
            null,
            """
            op.create_table("organizations", sa.Column("id", postgresql.UUID(), primary_key=True))
            op.create_table("users", sa.Column("id", postgresql.UUID(), primary_key=True), sa.Column("organization_id", postgresql.UUID(), sa.ForeignKey("organizations.id")))
            """
        )
        .Revision("acct0002", "acct0001", """op.add_column("users", sa.Column("email", sa.Text()))""")
        .Module(
            "app_models.py",
            """
            import sqlalchemy as sa
            metadata = sa.MetaData()
            organizations = sa.Table("organizations", metadata, sa.Column("id", sa.String(36), primary_key=True))
            users = sa.Table("users", metadata, sa.Column("id", sa.String(36), primary_key=True),
                sa.Column("organization_id", sa.String(36), sa.ForeignKey("organizations.id")), sa.Column("email", sa.Text()))
            """
        );

    private readonly string _root = Directory.CreateTempSubdirectory("dbr-plan-").FullName;
    private TestDatabase? _database;
    private TestDatabase? _scratch;

    private Dictionary<string, object?> Vars =>
        new()
        {
            ["project"] = _project.Root,
            ["url"] = _database!.Url,
            ["scratch"] = _scratch!.Url,
            ["backup"] = Path.Combine(_root, "backup"),
            ["journal"] = Path.Combine(_root, "journal.jsonl"),
            ["alembic"] = AlembicTestProject.AlembicCommand,
        };

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.GetAsync();
        _database = await server.CreateDatabaseAsync();
        _scratch = await server.CreateDatabaseAsync();
        _project.Upgrade(_database.Url, "acct0001");
        await _database.ExecuteAsync(
            "INSERT INTO organizations VALUES (gen_random_uuid()); INSERT INTO users SELECT gen_random_uuid(), id "
                + "FROM organizations; UPDATE alembic_version SET version_num = 'acct0002'"
        );
    }

    public async Task DisposeAsync()
    {
        await _database!.DisposeAsync();
        await _scratch!.DisposeAsync();
        _project.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void The_models_say_what_the_code_expects_and_their_key_types_become_conversions()
    {
        var models = Assert.Single(
            shell
                .Run(
                    "Get-RevisionSchema -Path $project -Models -ScratchConnectionString $scratch -AlembicCommand "
                        + "$alembic",
                    Vars
                )
                .ThrowOnError()
                .Output
        );
        Assert.StartsWith(
            "models: create_all()",
            models.Properties["Origin"].Value.ToString(),
            StringComparison.Ordinal
        );
        var users = ((IEnumerable<object>)models.Properties["Tables"].Value)
            .Select(PSObject.AsPSObject)
            .Single(t => (string)t.Properties["Name"].Value == "users");
        Assert.Equal(
            "character varying(36)",
            ((IEnumerable<object>)users.Properties["Columns"].Value)
                .Select(PSObject.AsPSObject)
                .Single(c => (string)c.Properties["Name"].Value == "id")
                .Properties["Type"]
                .Value
        );

        var withoutModels = Assert.Single(
            shell.Run("Get-RecoveryPlan -Path $project -ConnectionString $url", Vars).ThrowOnError().Output
        );
        Assert.Empty((IEnumerable<object>)withoutModels.Properties["Conversions"].Value);
        var plan = Assert.Single(
            shell
                .Run(
                    "Get-RecoveryPlan -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
                        + "-AlembicCommand $alembic",
                    Vars
                )
                .ThrowOnError()
                .Output
        );
        Assert.True((bool)plan.Properties["ReadModels"].Value);
        var conversions = ((IEnumerable<object>)plan.Properties["Conversions"].Value)
            .Select(PSObject.AsPSObject)
            .ToList();
        Assert.Equal(
            ["organizations", "users"],
            conversions.Select(c => c.Properties["Table"].Value.ToString()).Order()
        );
        Assert.All(conversions, c =>
            Assert.Equal(
                "the application's models (env.py's target_metadata) declare it as character varying(36)",
                c.Properties["Reason"].Value
            )
        );
        Assert.Equal(["acct0001"], ((IEnumerable<object>)plan.Properties["Stamp"].Value).Select(o => o.ToString()));
    }

    [Fact]
    public void A_project_whose_env_py_has_no_target_metadata_has_no_models()
    {
        using var plain = new AlembicTestProject().Revision(
            "acct0001",
            null,
            """op.create_table("organizations", sa.Column("id", postgresql.UUID(), primary_key=True))"""
        );
        var vars = Vars;
        vars["project"] = plain.Root;
        var error = shell
            .Run(
                "Get-RevisionSchema -Path $project -Models -ScratchConnectionString $scratch -AlembicCommand $alembic",
                vars
            )
            .SingleError();
        Assert.Equal("NoTargetMetadata,DbRecovery.Commands.GetRevisionSchemaCommand", error.FullyQualifiedErrorId);
        Assert.Contains("hands Alembic no target_metadata", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plan_read_back_from_clixml_or_json_is_shown_and_applied_unchanged()
    {
        var plan = Assert.Single(
            shell.Run("Get-RecoveryPlan -Path $project -ConnectionString $url", Vars).ThrowOnError().Output
        );
        var script = Assert
            .Single(
                shell
                    .Run("Get-RecoveryPlan -Path $project -ConnectionString $url -AsScript", Vars)
                    .ThrowOnError()
                    .Output
            )
            .ToString();

        var invoke =
            "Invoke-RecoveryPlan -Plan $plan -ConnectionString $url -BackupPath $backup -ScratchConnectionString "
            + "$scratch -AlembicCommand $alembic -JournalPath $journal -WhatIf";
        var vars = Vars;
        vars["plan"] = plan;
        shell.Run(invoke, vars).ThrowOnError();
        var shown = string.Join("\n", shell.Host.Lines);
        Assert.StartsWith("What if: # Recovery plan for ", shown, StringComparison.Ordinal);
        Assert.Contains(
            "$null = Set-AlembicVersion @database -Path '"
                + _project.Root
                + "' -Revision 'acct0001' -ExpectedCurrent 'acct0002' -Confirm:$false",
            shown,
            StringComparison.Ordinal
        );
        Assert.Contains(script.Split('\n')[3].TrimEnd(), shown, StringComparison.Ordinal);

        vars["plan"] = PSSerializer.Deserialize(PSSerializer.Serialize(plan.BaseObject, depth: 10));
        shell.Run(invoke, vars).ThrowOnError();
        Assert.Equal(shown, string.Join("\n", shell.Host.Lines));

        vars["saved"] = plan;
        shell
            .Run(
                "$plan = $saved.GetType().Assembly.GetType('DbRecovery.Engine.Planning.RecoveryPlanJson')::Serialize($saved); "
                    + invoke,
                vars
            )
            .ThrowOnError();
        Assert.Equal(shown, string.Join("\n", shell.Host.Lines));

        Assert.False(Directory.Exists(Path.Combine(_root, "backup")));
        Assert.Equal("acct0002", await _database!.ScalarAsync<string>("SELECT version_num FROM alembic_version"));

        // -Rehearse -WhatIf shows the rehearsal too: the proof keeps its copy, the steps and the end check run on it.
        vars["plan"] = plan;
        shell.Run(invoke + " -Rehearse", vars).ThrowOnError();
        var rehearsed = string.Join("\n", shell.Host.Lines);
        Assert.Contains("-ScratchConnectionString $ScratchConnectionString -Keep", rehearsed, StringComparison.Ordinal);
        Assert.Contains(
            "# Rehearsal on the copy the backup's proof restored in the scratch database",
            rehearsed,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "$null = Set-AlembicVersion @rehearsal -Path '"
                + _project.Root
                + "' -Revision 'acct0001' -ExpectedCurrent 'acct0002' -Confirm:$false",
            rehearsed,
            StringComparison.Ordinal
        );
        Assert.True(
            rehearsed.IndexOf("Test-RecoveryState @rehearsal", StringComparison.Ordinal)
                < rehearsed.IndexOf("Set-AlembicVersion @database", StringComparison.Ordinal),
            rehearsed
        );
        Assert.Equal("acct0002", await _database!.ScalarAsync<string>("SELECT version_num FROM alembic_version"));
    }

    [Fact]
    public async Task A_plan_whose_database_changed_since_is_refused_before_any_change()
    {
        var vars = Vars;
        vars["plan"] = Assert.Single(
            shell.Run("Get-RecoveryPlan -Path $project -ConnectionString $url", vars).ThrowOnError().Output
        );
        await _database!.ExecuteAsync("ALTER TABLE users ADD COLUMN nickname text");

        var error = shell
            .Run(
                "Invoke-RecoveryPlan -Plan $plan -ConnectionString $url -BackupPath $backup -ScratchConnectionString "
                    + "$scratch -AlembicCommand $alembic -JournalPath $journal -Confirm:$false",
                vars
            )
            .SingleError();
        Assert.Equal("RecoveryPlanOutdated,DbRecovery.Commands.InvokeRecoveryPlanCommand", error.FullyQualifiedErrorId);
        Assert.Contains("changed since the plan was made", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(
            "nothing was changed. Make a new plan with Get-RecoveryPlan.",
            error.Exception.Message,
            StringComparison.Ordinal
        );
        Assert.False(Directory.Exists(Path.Combine(_root, "backup")));
        Assert.False(File.Exists(Path.Combine(_root, "journal.jsonl")));
    }

    [Fact]
    public async Task A_plan_for_another_database_or_that_is_not_a_plan_is_refused()
    {
        var vars = Vars;
        vars["plan"] = Assert.Single(
            shell.Run("Get-RecoveryPlan -Path $project -ConnectionString $url", vars).ThrowOnError().Output
        );
        var other = shell
            .Run(
                "Invoke-RecoveryPlan -Plan $plan -ConnectionString $scratch -BackupPath $backup "
                    + "-ScratchConnectionString $scratch -Confirm:$false",
                vars
            )
            .SingleError();
        Assert.Equal(
            "RecoveryPlanForAnotherDatabase,DbRecovery.Commands.InvokeRecoveryPlanCommand",
            other.FullyQualifiedErrorId
        );

        var junk = shell
            .Run(
                "Invoke-RecoveryPlan -Plan '{\"Database\": 1}' -ConnectionString $url -BackupPath $backup "
                    + "-ScratchConnectionString $scratch -Confirm:$false",
                vars
            )
            .SingleError();
        Assert.Equal(
            "ParameterArgumentTransformationError,DbRecovery.Commands.InvokeRecoveryPlanCommand",
            junk.FullyQualifiedErrorId
        );
        Assert.Contains(
            "This is not a recovery plan made by Get-RecoveryPlan",
            junk.Exception.Message,
            StringComparison.Ordinal
        );
        Assert.Equal(
            "uuid",
            await _database!.ScalarAsync<string>(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass AND "
                    + "attname = 'id'"
            )
        );
    }

    [Fact]
    public void Test_AlembicUpgrade_answers_statically_and_exactly_and_rejects_an_unknown_revision()
    {
        var report = Assert.Single(
            shell
                .Run("Test-AlembicUpgrade -Path $project -ConnectionString $url -From acct0001", Vars)
                .ThrowOnError()
                .Output
        );
        Assert.Equal(
            ("WillSucceed", "Static"),
            (report.Properties["Verdict"].Value.ToString(), report.Properties["Mode"].Value.ToString())
        );
        var exact = Assert.Single(
            shell
                .Run(
                    "Test-AlembicUpgrade -Path $project -ConnectionString $url -From acct0001 "
                        + "-ScratchConnectionString $scratch -AlembicCommand $alembic",
                    Vars
                )
                .ThrowOnError()
                .Output
        );
        Assert.Equal(
            ("WillSucceed", "Exact"),
            (exact.Properties["Verdict"].Value.ToString(), exact.Properties["Mode"].Value.ToString())
        );
        Assert.Equal(
            ["acct0002"],
            ((IEnumerable<object>)exact.Properties["Revisions"].Value).Select(o => o.ToString())
        );

        // -PgBinPath is relative to the current location, as every path a cmdlet takes.
        var bin = Directory
            .GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .First(d => File.Exists(Path.Combine(d, "pg_dump")));
        var relative = Assert.Single(
            shell
                .Run(
                    "Push-Location $parent; try { Test-AlembicUpgrade -Path $project -ConnectionString $url -From "
                        + "acct0001 -ScratchConnectionString $scratch -AlembicCommand $alembic -PgBinPath ./bin } "
                        + "finally { Pop-Location }",
                    new Dictionary<string, object?>(Vars) { ["parent"] = Path.GetDirectoryName(bin) }
                )
                .ThrowOnError()
                .Output
        );
        Assert.Equal("WillSucceed", relative.Properties["Verdict"].Value.ToString());

        var stamped = Assert.Single(
            shell
                .Run("Test-AlembicUpgrade -Path $project -ConnectionString $url -From acct0002", Vars)
                .ThrowOnError()
                .Output
        );
        Assert.Empty((IEnumerable<object>)stamped.Properties["Revisions"].Value);

        var unknown = shell
            .Run("Test-AlembicUpgrade -Path $project -ConnectionString $url -From nosuchrev", Vars)
            .SingleError();
        Assert.Equal("RevisionNotFound,DbRecovery.Commands.TestAlembicUpgradeCommand", unknown.FullyQualifiedErrorId);
    }
}
