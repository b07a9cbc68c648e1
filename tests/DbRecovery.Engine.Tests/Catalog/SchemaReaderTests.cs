using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.TestSupport;
using Npgsql;

namespace DbRecovery.Engine.Tests.Catalog;

public sealed class SchemaReaderTests : DatabaseTest
{
    private async Task<SchemaState> FixtureSnapshotAsync()
    {
        await Database.ExecuteAsync(FixtureSchema.Sql);
        return await SnapshotAsync();
    }

    [Fact]
    public async Task Captures_server_database_schemas_and_alembic_version()
    {
        var state = await FixtureSnapshotAsync();

        Assert.Equal(Database.Name, state.Database);
        Assert.StartsWith("1", state.ServerVersion, StringComparison.Ordinal);
        Assert.True(state.ServerVersionNumber >= 120000);
        Assert.False(state.IsStandby);
        Assert.Equal(["Billing Ω", "app", "public"], state.Schemas);
        Assert.Equal([FixtureSchema.StampedRevision], state.AlembicVersion);
        Assert.DoesNotContain(state.Tables, t => t.Schema is "pg_catalog" or "information_schema");
    }

    [Fact]
    public async Task Captures_columns_with_types_defaults_identity_and_generation()
    {
        var users = (await FixtureSnapshotAsync()).FindTable("app", "users")!;

        Assert.Equal(
            ["id", "organization_id", "manager_id", "email", "seq_no", "email_lower"],
            users.Columns.Select(c => c.Name)
        );
        var id = users.FindColumn("id")!;
        Assert.Equal("uuid", id.Type);
        Assert.False(id.IsNullable);
        Assert.Equal("gen_random_uuid()", id.Default);
        Assert.True(users.FindColumn("manager_id")!.IsNullable);
        Assert.Equal(ColumnIdentity.Always, users.FindColumn("seq_no")!.Identity);
        Assert.Null(users.FindColumn("seq_no")!.Default);
        Assert.Equal("lower(email)", users.FindColumn("email_lower")!.GenerationExpression);
        Assert.Null(users.FindColumn("email_lower")!.Default);
        Assert.Equal(1, id.Ordinal);
    }

    [Fact]
    public async Task Captures_constraints_of_every_kind()
    {
        var state = await FixtureSnapshotAsync();
        var users = state.FindTable("app", "users")!;
        var memberships = state.FindTable("app", "memberships")!;

        Assert.Equal(["id"], users.PrimaryKey!.Columns);
        Assert.Equal(["organization_id", "user_id"], memberships.PrimaryKey!.Columns);
        var check = Assert.Single(users.Constraints, c => c.Type == ConstraintType.Check);
        Assert.Equal("users_email_check", check.Name);
        Assert.True(check.IsValidated);
        Assert.False(Assert.Single(memberships.Constraints, c => c.Type == ConstraintType.Check).IsValidated);
        Assert.Equal(
            ["name"],
            Assert
                .Single(state.FindTable("app", "organizations")!.Constraints, c => c.Type == ConstraintType.Unique)
                .Columns
        );
        var exclusion = Assert.Single(state.FindTable("app", "slots")!.Constraints, c =>
            c.Type == ConstraintType.Exclusion
        );
        Assert.Contains("EXCLUDE USING gist (during WITH &&)", exclusion.Definition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Captures_foreign_keys_with_actions_match_deferrability_and_composite_cross_schema_references()
    {
        var state = await FixtureSnapshotAsync();
        var users = state.FindTable("app", "users")!;

        var toOrg = Assert.Single(users.ForeignKeys, f => f.ReferencedTable == "organizations");
        Assert.Equal(["organization_id"], toOrg.Columns);
        Assert.Equal(["id"], toOrg.ReferencedColumns);
        Assert.Equal(ReferentialAction.Cascade, toOrg.OnDelete);
        Assert.Equal(ReferentialAction.NoAction, toOrg.OnUpdate);
        Assert.False(toOrg.IsDeferrable);
        Assert.True(toOrg.IsValidated);

        var self = Assert.Single(users.ForeignKeys, f => f.Name == "users_manager_fk");
        Assert.Equal(("app", "users"), (self.ReferencedSchema, self.ReferencedTable));
        Assert.Equal(ReferentialAction.SetNull, self.OnDelete);
        Assert.True(self.IsDeferrable);
        Assert.True(self.IsInitiallyDeferred);

        var composite = Assert.Single(
            state.FindTable(FixtureSchema.QuotedSchema, FixtureSchema.QuotedTable)!.ForeignKeys
        );
        Assert.Equal("fk membership", composite.Name);
        Assert.Equal(["organization_id", "user_id"], composite.Columns);
        Assert.Equal(("app", "memberships"), (composite.ReferencedSchema, composite.ReferencedTable));
        Assert.Equal(["organization_id", "user_id"], composite.ReferencedColumns);
        Assert.Equal(ForeignKeyMatch.Full, composite.Match);
        Assert.Equal(ReferentialAction.Restrict, composite.OnUpdate);

        // The partitioned table's key is reported once, on the parent, not again on each partition.
        Assert.Single(state.FindTable("app", "events")!.ForeignKeys);
        Assert.Empty(state.FindTable("app", "events_2024")!.ForeignKeys);
        Assert.Equal(5, state.ForeignKeys.Count);
    }

    [Fact]
    public async Task Captures_partitioned_tables_and_partitions()
    {
        var state = await FixtureSnapshotAsync();

        var events = state.FindTable("app", "events")!;
        Assert.Equal(TableKind.Partitioned, events.Kind);
        Assert.Equal("RANGE (occurred_at)", events.PartitionKey);
        var partition = state.FindTable("app", "events_2024")!;
        Assert.Equal(TableKind.Partition, partition.Kind);
        Assert.Equal("app.events", partition.PartitionOf);
        Assert.StartsWith("FOR VALUES FROM (", partition.PartitionBound, StringComparison.Ordinal);
        Assert.Equal(TableKind.Ordinary, state.FindTable("app", "users")!.Kind);
    }

    [Fact]
    public async Task Captures_partial_expression_unique_and_primary_indexes()
    {
        var users = (await FixtureSnapshotAsync()).FindTable("app", "users")!;

        var expression = Assert.Single(users.Indexes, i => i.Name == "users_email_lower_idx");
        Assert.True(expression.IsUnique);
        Assert.Equal([null], expression.Columns);
        Assert.Equal("lower(email)", expression.Expressions);
        var partial = Assert.Single(users.Indexes, i => i.Name == "users_managed_idx");
        Assert.Equal(["organization_id"], partial.Columns);
        Assert.Equal("(manager_id IS NOT NULL)", partial.Predicate);
        Assert.Equal("btree", partial.Method);
        Assert.False(partial.IsUnique);
        Assert.Contains(users.Indexes, i => i.IsPrimary && i.Name == "users_pkey");
        Assert.All(users.Indexes, i => Assert.True(i.IsValid));
    }

    [Fact]
    public async Task Captures_views_with_their_column_dependencies()
    {
        var state = await FixtureSnapshotAsync();

        var view = Assert.Single(state.Views, v => v.Name == "user_emails");
        Assert.False(view.IsMaterialized);
        Assert.Contains(new ColumnReference("app", "users", "id"), view.DependsOn);
        Assert.Contains(new ColumnReference("app", "users", "organization_id"), view.DependsOn);
        Assert.Contains(new ColumnReference("app", "organizations", "id"), view.DependsOn);
        Assert.Contains("JOIN app.organizations o", view.Definition, StringComparison.Ordinal);
        var materialized = Assert.Single(state.Views, v => v.Name == "org_counts");
        Assert.True(materialized.IsMaterialized);
        Assert.Equal([new ColumnReference("app", "users", "organization_id")], materialized.DependsOn);
    }

    [Fact]
    public async Task Captures_sequences_enums_triggers_and_policies()
    {
        var state = await FixtureSnapshotAsync();

        var serial = Assert.Single(state.Sequences, s => s.Schema == FixtureSchema.QuotedSchema);
        Assert.Equal(new ColumnReference(FixtureSchema.QuotedSchema, FixtureSchema.QuotedTable, "id"), serial.OwnedBy);
        Assert.Equal("integer", serial.DataType);
        Assert.Contains(state.Sequences, s => s.OwnedBy == new ColumnReference("app", "users", "seq_no"));
        Assert.Equal(["lead", "won", "lost"], Assert.Single(state.Enums).Labels);

        var users = state.FindTable("app", "users")!;
        var trigger = Assert.Single(users.Triggers);
        Assert.Equal("users_touch", trigger.Name);
        Assert.Contains("BEFORE UPDATE OF email", trigger.Definition, StringComparison.Ordinal);
        Assert.Equal("Origin", trigger.Enabled);
        Assert.True(users.RowLevelSecurity);
        var policy = Assert.Single(users.Policies);
        Assert.Equal(("users_same_org", "SELECT", true), (policy.Name, policy.Command, policy.IsPermissive));
        Assert.Equal(["public"], policy.Roles);
        Assert.Equal("(organization_id IS NOT NULL)", policy.Using);
    }

    [Fact]
    public async Task Awkward_identifiers_survive_exactly()
    {
        var state = await FixtureSnapshotAsync();

        var table = state.FindTable(FixtureSchema.QuotedSchema, FixtureSchema.QuotedTable)!;
        Assert.Equal("Invoice \"Lines\"", table.Name);
        Assert.Equal("numeric(12,2)", table.FindColumn("Amount €")!.Type);
        Assert.Equal("'lead'::app.deal_stage", table.FindColumn("stage")!.Default);
    }

    [Fact]
    public async Task Runs_in_a_transaction_that_refuses_writes()
    {
        await Database.ExecuteAsync(FixtureSchema.Sql);
        await using var session = await OpenSessionAsync();
        await using var transaction = await session.BeginReadOnlyAsync(CancellationToken.None);
        await SchemaReader.ReadAsync(transaction, new SchemaReadOptions(), CancellationToken.None);

        await using var write = new NpgsqlCommand(
            "INSERT INTO public.alembic_version VALUES ('sneaky')",
            session.Connection
        );
        var error = await Assert.ThrowsAsync<PostgresException>(() => write.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, error.SqlState);
    }

    [Fact]
    public async Task Works_on_a_hot_standby()
    {
        await Database.ExecuteAsync(FixtureSchema.Sql);
        var primary = Database.Server.Cluster
            ?? throw new InvalidOperationException(
                "This test builds a standby of the local test cluster: unset "
                    + PostgresServer.UrlVariable
                    + " and provide PostgreSQL server binaries."
            );
        var standby = await primary.StartStandbyAsync();
        var url = TestUrl.FromSettings(standby.AdminSettings, database: Database.Name);

        var state = await SchemaReader.CaptureAsync(
            ConnectionTarget.Parse(url),
            new SchemaReadOptions(),
            Log,
            CancellationToken.None
        );

        Assert.True(state.IsStandby);
        Assert.Equal([FixtureSchema.StampedRevision], state.AlembicVersion);
        Assert.Equal(5, state.ForeignKeys.Count);
        Assert.DoesNotContain("on one connection", Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_version_table_is_empty_and_a_custom_one_is_read()
    {
        await Database.ExecuteAsync(
            """
            CREATE SCHEMA ops;
            CREATE TABLE ops."Version Table" (version_num varchar(32) PRIMARY KEY);
            INSERT INTO ops."Version Table" VALUES ('b2'), ('a1');
            """
        );

        var absent = await SnapshotAsync();
        Assert.Empty(absent.AlembicVersion);
        Assert.Contains("does not exist", Log.All, StringComparison.Ordinal);
        var custom = await SnapshotAsync(new SchemaReadOptions { VersionTable = "ops.Version Table" });
        Assert.Equal(["a1", "b2"], custom.AlembicVersion);
    }

    [Fact]
    public async Task Schema_patterns_filter_on_the_server_and_a_plain_unknown_name_is_an_error()
    {
        await Database.ExecuteAsync(FixtureSchema.Sql);

        var billing = await SnapshotAsync(new SchemaReadOptions { Schemas = [SchemaPattern.Parse("bill*")] });
        Assert.Equal([FixtureSchema.QuotedSchema], billing.Schemas);
        Assert.All(billing.Tables, t => Assert.Equal(FixtureSchema.QuotedSchema, t.Schema));
        var app = await SnapshotAsync(new SchemaReadOptions { Schemas = [SchemaPattern.Parse("APP")] });
        Assert.Equal(["app"], app.Schemas);

        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            SnapshotAsync(new SchemaReadOptions { Schemas = [SchemaPattern.Parse("nosuch")] })
        );
        Assert.Equal("SchemaNotFound", error.ErrorId);
        Assert.Empty(
            (await SnapshotAsync(new SchemaReadOptions { Schemas = [SchemaPattern.Parse("nosuch*")] })).Tables
        );
    }

    [Fact]
    public async Task Without_a_second_connection_it_reads_everything_on_one()
    {
        await Database.ExecuteAsync(FixtureSchema.Sql);
        var parallel = await SnapshotAsync();
        var role = "solo_" + Database.Name;
        await Database.ExecuteAsync(
            $"""
            CREATE ROLE {role} LOGIN PASSWORD 'Solo-Example-Pass' CONNECTION LIMIT 1;
            GRANT USAGE ON SCHEMA app, "{FixtureSchema.QuotedSchema}" TO {role};
            GRANT SELECT ON public.alembic_version TO {role};
            """
        );
        try
        {
            var settings = new NpgsqlConnectionStringBuilder(Database.ConnectionString)
            {
                Username = role,
                Password = "Solo-Example-Pass",
            };
            await using (
                var session = await DatabaseSession.OpenAsync(
                    ConnectionTarget.Parse(settings.ConnectionString),
                    Log,
                    CancellationToken.None
                )
            )
            await using (var transaction = await session.BeginReadOnlyAsync(CancellationToken.None))
            {
                var single = await SchemaReader.ReadAsync(transaction, new SchemaReadOptions(), CancellationToken.None);

                Assert.Contains("on one connection", Log.All, StringComparison.Ordinal);
                Assert.Equal(
                    SchemaStateJson.Serialize(parallel with { CapturedAt = default }),
                    SchemaStateJson.Serialize(single with { CapturedAt = default })
                );
            }
        }
        finally
        {
            await Database.ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE {role};");
        }
    }

    [Fact]
    public async Task Verbose_log_shows_the_catalog_sql_but_never_the_password()
    {
        await SnapshotAsync();

        Assert.Contains("FROM pg_constraint k", Log.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Database.Settings.Password!, Log.All, StringComparison.Ordinal);
    }
}
