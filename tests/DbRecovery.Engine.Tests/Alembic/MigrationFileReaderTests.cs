using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Operations;

namespace DbRecovery.Engine.Tests.Alembic;

public sealed class MigrationFileReaderTests
{
    public static TheoryData<string, string, string[]> HeaderForms =>
        new()
        {
            { "revision = 'abc123'\ndown_revision = None\n", "abc123", [] },
            { "revision = \"abc123\"\ndown_revision = \"def456\"\n", "abc123", ["def456"] },
            { "revision: str = 'kilo'\ndown_revision: Union[str, None] = 'juliet'\n", "kilo", ["juliet"] },
            {
                "revision: str = \"a1\"\ndown_revision: Union[str, Sequence[str], None] = (\"b2\", \"c3\")\n",
                "a1",
                ["b2", "c3"]
            },
            { "revision = 'a1'\ndown_revision: tuple[str, str] | None = ('b2', 'c3')\n", "a1", ["b2", "c3"] },
            { "revision = 'a1'\ndown_revision = ['b2', 'c3']\n", "a1", ["b2", "c3"] },
            { "revision = 'a1'\ndown_revision = ('b2',)\n", "a1", ["b2"] },
            { "revision = 'a1'\ndown_revision = ()\n", "a1", [] },
            { "revision = r'a1'\ndown_revision = u'b2'  # the parent\n", "a1", ["b2"] },
            { "revision = '''a1'''\ndown_revision = \\\n    'b2'\n", "a1", ["b2"] },
            { "revision = ('a1')\ndown_revision = (\n    'b2',\n    'c3',  # trailing comma\n)\n", "a1", ["b2", "c3"] },
            {
                "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = '3f9c0a1b2c4d5'\ndown_revision = "
                    + "'1b2c'\n",
                "3f9c0a1b2c4d5",
                ["1b2c"]
            },
            {
                "\"\"\"add users\n\nRevision ID: zzz\nRevises: wrong\n\"\"\"\nrevision = 'a1'\ndown_revision = 'b2'\n",
                "a1",
                ["b2"]
            },
            { "revision = 'a1' 'b2'\ndown_revision = None\n", "a1b2", [] },
            { "revision = 'éü1'\ndown_revision = None\n", "éü1", [] },
        };

    [Theory]
    [MemberData(nameof(HeaderForms))]
    public void Reads_revision_and_down_revision_in_every_form(string source, string revision, string[] down)
    {
        var script = MigrationFileReader.Read("m.py", source);

        Assert.Equal(revision, script.Revision);
        Assert.Equal(down, script.DownRevisions);
        Assert.Empty(script.Warnings);
    }

    [Fact]
    public void Reads_branch_labels_depends_on_message_and_create_date()
    {
        var script = MigrationFileReader.Read(
            "m.py",
            """"
            """Add the folders table

            Revision ID: a1
            Revises: b2
            Create Date: 2024-03-05 10:11:12.123456

            """
            from alembic import op

            revision = 'a1'
            down_revision = 'b2'
            branch_labels = ('billing',)
            depends_on = 'c3'
            """"
        );

        Assert.Equal("Add the folders table", script.Message);
        Assert.Equal(new DateTime(2024, 3, 5, 10, 11, 12, 123).AddTicks(4560), script.CreateDate);
        Assert.Equal(["billing"], script.BranchLabels);
        Assert.Equal(["c3"], script.DependsOn);
    }

    [Fact]
    public void An_imported_constant_is_reported_unresolved_with_the_file_and_line()
    {
        var script = MigrationFileReader.Read(
            "versions/x.py",
            "from cli import EXPAND_BRANCH\nrevision = 'a1'\ndown_revision = None\nbranch_labels = "
                + "(cli.EXPAND_BRANCH,)\n"
        );

        Assert.Equal("a1", script.Revision);
        Assert.Empty(script.BranchLabels);
        var warning = Assert.Single(script.Warnings);
        Assert.StartsWith("versions/x.py:4:", warning, StringComparison.Ordinal);
        Assert.Contains("cli.EXPAND_BRANCH", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Assignments_inside_functions_or_strings_do_not_count()
    {
        var script = MigrationFileReader.Read(
            "m.py",
            """"
            NOTE = '''
            revision = 'fake'
            '''
            def helper():
                revision = 'inner'
            revision = 'real'
            down_revision = None
            """"
        );

        Assert.Equal("real", script.Revision);
    }

    [Fact]
    public void An_unparseable_statement_warns_and_the_rest_is_still_read()
    {
        var script = MigrationFileReader.Read("m.py", "revision = 'a1'\ndown_revision = )\nbranch_labels = 'b2'\n");

        Assert.Equal("a1", script.Revision);
        Assert.Equal(["b2"], script.BranchLabels);
        Assert.Contains(script.Warnings, w => w.StartsWith("m.py:2:", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unterminated_string_is_a_warning_not_a_crash()
    {
        var script = MigrationFileReader.Read("m.py", "revision = 'a1\n");

        Assert.Null(script.Revision);
        Assert.Contains(script.Warnings, w => w.Contains("unterminated", StringComparison.Ordinal));
    }

    [Fact]
    public void Reads_create_table_with_types_keys_and_constraints()
    {
        var script = MigrationFileReader.Read(
            "m.py",
            """"
            import sqlalchemy as sa
            from sqlalchemy.dialects import postgresql
            from alembic import op
            revision = 'a1'
            down_revision = None

            def upgrade() -> None:
                op.create_table(
                    "deals",
                    sa.Column("id", sa.String(length=36), nullable=False),
                    sa.Column("organization_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
                    sa.Column("amount", sa.Numeric(12, 2)),
                    sa.Column("closed_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
                    sa.Column("tags", postgresql.ARRAY(sa.String(20))),
                    sa.Column("stage", sa.Enum("lead", "won", name="deal_stage")),
                    sa.Column("owner_id", sa.Uuid()),
                    sa.PrimaryKeyConstraint("id"),
                    sa.ForeignKeyConstraint(["owner_id"], ["auth.users.id"], name="deals_owner_fk"),
                    schema="crm",
                )

            def downgrade():
                op.drop_table("deals", schema="crm")
            """"
        );

        var create = Assert.IsType<CreateTableOperation>(Assert.Single(script.Operations));
        Assert.Equal(("crm", "deals"), (create.Schema, create.Table));
        Assert.Equal(
            [
                "character varying(36)",
                "uuid",
                "numeric(12,2)",
                "timestamp with time zone",
                "character varying(20)[]",
                "deal_stage",
                "uuid",
            ],
            create.Columns.Select(c => c.Type)
        );
        Assert.Equal(["id"], create.PrimaryKey);
        Assert.False(create.Columns[0].Nullable);
        Assert.True(create.Columns[2].Nullable);
        Assert.Equal(
            ("organizations", "CASCADE"),
            (create.Columns[1].ForeignKey!.ReferencedTable, create.Columns[1].ForeignKey!.OnDelete)
        );
        var fk = Assert.Single(create.ForeignKeys);
        Assert.Equal(("auth", "users", "deals_owner_fk"), (fk.ReferencedSchema, fk.ReferencedTable, fk.Name));
    }

    [Fact]
    public void Reads_column_index_constraint_and_batch_operations()
    {
        var script = MigrationFileReader.Read(
            "m.py",
            """"
            revision = 'a1'
            down_revision = 'b0'
            def upgrade():
                op.add_column('users', sa.Column('nickname', sa.Unicode(50)))
                op.drop_column('users', 'legacy')
                op.alter_column('users', 'email', existing_type=sa.String(100), type_=sa.String(255), nullable=False, new_column_name='email_address')
                op.create_index(op.f('ix_users_email'), 'users', ['email_address'], unique=True)
                op.drop_index('ix_old', table_name='users')
                op.create_foreign_key('fk_users_org', 'users', 'organizations', ['organization_id'], ['id'], ondelete='SET NULL')
                op.create_unique_constraint('uq_users_nick', 'users', ['nickname'])
                op.drop_constraint('users_legacy_fkey', 'users', type_='foreignkey')
                op.rename_table('people', 'persons')
                with op.batch_alter_table('persons', schema=None) as batch_op:
                    batch_op.add_column(sa.Column('age', sa.Integer(), nullable=True))
                    batch_op.alter_column('name', new_column_name='full_name')
                    batch_op.drop_column('nick')
                op.drop_table('obsolete')
                conn = op.get_bind()
                op.bulk_insert(table, [])
            """"
        );

        Assert.Equal(
            [
                "add_column",
                "drop_column",
                "alter_column",
                "create_index",
                "drop_index",
                "create_foreign_key",
                "create_unique_constraint",
                "drop_constraint",
                "rename_table",
                "add_column",
                "alter_column",
                "drop_column",
                "drop_table",
                "opaque",
            ],
            script.Operations.Select(o => o.Kind)
        );

        // op.get_bind() changes nothing, so it is no operation; bulk_insert is one the replay cannot read.
        Assert.Equal("op.bulk_insert", Assert.IsType<OpaqueOperation>(script.Operations[^1]).Description);
        var alter = Assert.IsType<AlterColumnOperation>(script.Operations[2]);
        Assert.Equal(
            ("character varying(255)", false, "email_address"),
            (alter.NewType, alter.Nullable, alter.NewName)
        );
        var index = Assert.IsType<CreateIndexOperation>(script.Operations[3]);
        Assert.Equal(("ix_users_email", true), (index.Index.Name, index.Index.Unique));
        Assert.Equal("persons", script.Operations[9].Table);
        Assert.Equal("integer", Assert.IsType<AddColumnOperation>(script.Operations[9]).Column.Type);
        Assert.Equal(19, script.Operations[^1].Line);
    }

    [Theory]
    [InlineData("op.get_bind().dialect.name == 'mysql'", false)]
    [InlineData("op.get_context().dialect.name != 'postgresql'", false)]
    [InlineData("context.get_context().dialect.name in ('postgresql', 'sqlite')", true)]
    [InlineData("engine.dialect.name not in ['mysql', 'mariadb']", true)]
    [InlineData("bind.engine.name == 'postgresql'", true)]
    [InlineData("url.startswith('mysql')", false)]
    [InlineData("str(op.get_bind().engine.url).startswith(('postgres', 'sqlite'))", null)]
    [InlineData("is_sqlite(op.get_bind())", false)]
    [InlineData("not is_mysql(bind) and dialect == 'postgresql'", true)]
    [InlineData("is_mysql(bind) or len(rows) > 0", null)]
    [InlineData("is_postgresql(bind) or len(rows) > 0", true)]
    [InlineData("len(rows) > 0", null)]
    public void A_dialect_condition_takes_the_branch_postgresql_takes(string condition, bool? onPostgres)
    {
        var script = MigrationFileReader.Read(
            "m.py",
            $$""""
            revision = 'a1'
            down_revision = None
            def upgrade():
                dialect = op.get_bind().dialect.name
                if {{condition}}:
                    op.create_table('taken', sa.Column('id', sa.Integer()))
                elif dialect == 'sqlite':
                    op.create_table('sqlite_only', sa.Column('id', sa.Integer()))
                else:
                    op.create_table('otherwise', sa.Column('id', sa.Integer()))
                op.create_table('always', sa.Column('id', sa.Integer()))
            """"
        );

        var tables = script.Operations.OfType<CreateTableOperation>().Select(o => o.Table).ToList();
        var unknown = script.Operations.OfType<OpaqueOperation>().Select(o => o.Description).ToList();
        switch (onPostgres)
        {
            case true:
                Assert.Equal(["taken", "always"], tables);
                break;
            case false:
                Assert.Equal(["otherwise", "always"], tables);
                break;
            default:
                Assert.Equal(["always"], tables);
                Assert.Equal(2, unknown.Count);
                Assert.StartsWith(
                    "CreateTable under a condition DbRecovery cannot evaluate",
                    unknown[0],
                    StringComparison.Ordinal
                );
                break;
        }
    }

    [Fact]
    public void An_operation_guarded_by_the_existence_of_its_object_asks_the_model_what_kind_of_object_to_look_for()
    {
        var script = MigrationFileReader.Read(
            "m.py",
            """"
            revision = 'a1'
            down_revision = None
            def upgrade():
                inspect = reflection.Inspector.from_engine(op.get_bind())
                unique_constraints = [uc['name'] for uc in inspect.get_unique_constraints('delayed_calls_v2')]
                if 'delayed_calls_v2_processing_execution_time' in unique_constraints:
                    op.drop_index('delayed_calls_v2_processing_execution_time', table_name='delayed_calls_v2')
                if not utils.index_exists(engine, 'nodes', 'driver_idx'):
                    op.create_index('driver_idx', 'nodes', ['driver'])
                else:
                    op.drop_index('driver_idx', table_name='nodes')
                if 'legacy' in columns:
                    op.drop_column('nodes', 'other')
            """"
        );

        var guarded = script
            .Operations.OfType<GuardedOperation>()
            .Select(g => (g.Inner.Kind, g.Name, g.MustExist, g.Among))
            .ToList();
        Assert.Equal(
            [
                ("drop_index", "delayed_calls_v2_processing_execution_time", true, "unique"),
                ("create_index", "driver_idx", false, "index"),
                ("drop_index", "driver_idx", true, "index"),
            ],
            guarded
        );
        Assert.Equal(
            "DropColumn under a test of whether legacy exists",
            script.Operations.OfType<OpaqueOperation>().Single().Description
        );
    }

    [Fact]
    public void Module_level_lists_comprehensions_and_lambdas_are_evaluated_where_their_items_are_literals()
    {
        var script = MigrationFileReader.Read(
            "m.py",
            """"
            revision = 'a1'
            down_revision = None
            resource_tables = [(t, "id") for t in ["instance", "volume"]]
            history_tables = [("%s_history" % t, "revision") for t, c in resource_tables]
            other_tables = [("metric", "id")]

            def upgrade():
                for table, colname in resource_tables + history_tables + other_tables:
                    op.drop_index("ix_%s_%s" % (table, colname), table_name=table)
                for table_name in ("resource", "metric"):
                    creator_col = lambda: sa.Column("creator", sa.String(255))
                    op.add_column(table_name, creator_col())
                    op.drop_column(table_name, "created_by_user_id")
            """"
        );

        Assert.Equal(
            [
                "instance.ix_instance_id",
                "volume.ix_volume_id",
                "instance_history.ix_instance_history_revision",
                "volume_history.ix_volume_history_revision",
                "metric.ix_metric_id",
            ],
            script.Operations.OfType<DropIndexOperation>().Select(d => $"{d.Table}.{d.Name}")
        );
        Assert.Equal(
            ["resource.creator character varying(255)", "metric.creator character varying(255)"],
            script.Operations.OfType<AddColumnOperation>().Select(a => $"{a.Table}.{a.Column.Name} {a.Column.Type}")
        );
        Assert.Equal(2, script.Operations.OfType<DropColumnOperation>().Count());
    }

    [Fact]
    public void A_loop_over_a_literal_list_runs_its_body_once_an_item_with_the_names_it_binds()
    {
        var script = MigrationFileReader.Read(
            "m.py",
            """"
            revision = 'a1'
            down_revision = None
            def upgrade():
                engine = enginefacade.reader.get_engine()
                tbl_name = 'nodes'
                indexes = [(['reservation'], 'reservation_idx'),
                           (['driver', 'owner'], 'driver_idx')]
                if engine.dialect.name == 'mysql':
                    for fields, idx_name in indexes:
                        if not utils.index_exists(engine, tbl_name, idx_name):
                            op.create_index(idx_name, tbl_name, fields, unique=False)
                else:
                    for fields, idx_name in indexes:
                        op.create_index(idx_name, tbl_name, fields, unique=False)
                for table in ['instance_disk', 'instance_net_int']:
                    op.create_table(table, sa.Column('id', sa.Integer(), primary_key=True),
                        sa.Index('ix_%s_id' % table, 'id'))
                    op.create_table('%s_history' % table, sa.Column('revision', sa.Integer(), primary_key=True))
                for row in connection.execute(query):
                    op.drop_table(row.name)
                if dialect.name != 'postgresql':
                    return
                op.create_table('postgres_only', sa.Column('id', sa.Integer()))
            """"
        );

        var indexes = script
            .Operations.OfType<CreateIndexOperation>()
            .Select(o => (o.Table, o.Index.Name, string.Join(",", o.Index.Columns)))
            .ToList();
        Assert.Equal([("nodes", "reservation_idx", "reservation"), ("nodes", "driver_idx", "driver,owner")], indexes);
        Assert.Equal(
            ["instance_disk", "instance_disk_history", "instance_net_int", "instance_net_int_history", "postgres_only"],
            script.Operations.OfType<CreateTableOperation>().Select(o => o.Table)
        );
        Assert.Equal(
            "ix_instance_net_int_id",
            script.Operations.OfType<CreateTableOperation>().ElementAt(2).Indexes.Single().Name
        );
        Assert.Equal(
            "op.drop_table under a loop over connection.execute(…)",
            script.Operations.OfType<OpaqueOperation>().Single().Description
        );
    }

    [Fact]
    public void Renaming_an_enum_type_and_converting_a_column_with_using_are_read_from_sql()
    {
        var script = MigrationFileReader.Read(
            "m.py",
            """"
            revision = 'a1'
            down_revision = None
            def upgrade():
                op.execute("ALTER TYPE state_enum RENAME TO old_state_enum")
                op.execute("CREATE TYPE state_enum AS ENUM ('active', 'updating')")
                op.execute("ALTER TABLE resource_type ALTER COLUMN state TYPE state_enum USING state::text::state_enum")
                op.execute("DROP TYPE old_state_enum")
            """"
        );

        var parts = script.Operations.OfType<ExecuteOperation>().SelectMany(e => e.Recognized).ToList();
        var rename = Assert.IsType<RenameEnumOperation>(parts[0]);
        Assert.Equal(("state_enum", "old_state_enum"), (rename.Name, rename.NewName));
        var alter = Assert.IsType<AlterColumnOperation>(parts[2]);
        Assert.Equal(("state", "state_enum", true), (alter.Column, alter.NewType, alter.HasUsing));
    }

    [Fact]
    public void Recognizes_ddl_in_op_execute_and_keeps_the_rest_opaque()
    {
        var script = MigrationFileReader.Read(
            "m.py",
            """"
            revision = 'a1'
            down_revision = None
            def upgrade():
                op.execute('''
                    CREATE TABLE IF NOT EXISTS "Audit Log" (id uuid PRIMARY KEY, actor VARCHAR (36) NOT NULL, at timestamptz DEFAULT now());
                    ALTER TABLE users ADD COLUMN bio text, ALTER COLUMN id TYPE varchar(36) USING id::text, RENAME COLUMN name TO full_name;
                    CREATE UNIQUE INDEX CONCURRENTLY ix_users_bio ON public.users USING btree (bio);
                    DROP TABLE IF EXISTS old_a, old_b CASCADE;
                    DROP INDEX ix_gone;
                ''')
                op.execute(sa.text("UPDATE users SET bio = ''"))
            """"
        );

        var execute = Assert.IsType<ExecuteOperation>(script.Operations[0]);
        Assert.False(execute.HasOpaqueParts);
        Assert.Equal(
            [
                "create_table",
                "add_column",
                "alter_column",
                "alter_column",
                "create_index",
                "drop_table",
                "drop_table",
                "drop_index",
            ],
            execute.Recognized.Select(o => o.Kind)
        );
        var table = Assert.IsType<CreateTableOperation>(execute.Recognized[0]);
        Assert.Equal("Audit Log", table.Table);
        Assert.Equal(["uuid", "character varying(36)", "timestamp with time zone"], table.Columns.Select(c => c.Type));
        Assert.False(table.Columns[1].Nullable);
        Assert.Equal("character varying(36)", Assert.IsType<AlterColumnOperation>(execute.Recognized[2]).NewType);
        var update = Assert.IsType<ExecuteOperation>(script.Operations[1]);
        Assert.True(update.HasOpaqueParts);
    }
}
