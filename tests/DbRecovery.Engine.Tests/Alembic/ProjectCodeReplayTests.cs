using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Alembic;

/// <summary>
/// The shapes of the world's histories the replay follows statically (each seen in Neutron or Manila): functions
/// <c>upgrade()</c> calls, in the migration or in a project module found through <c>prepend_sys_path</c>; constants of
/// those modules; SQLAlchemy Core tables created behind an existence test; and what it cannot know, kept as unknown
/// parts of a table instead of a difference.
/// </summary>
public sealed class ProjectCodeReplayTests : IDisposable
{
    private readonly AlembicTestProject _project = new();
    private readonly EngineLog _log = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_helper_upgrade_calls_is_read_in_place_with_its_arguments_and_defaults_even_when_defined_after_it()
    {
        _project.Revision(
            "a1",
            null,
            """
            create_named("widgets", width=sa.Integer())
            """
        );
        File.AppendAllText(
            Directory.GetFiles(_project.VersionsDirectory).Single(),
            """

            def create_named(name, width, kind=sa.String(length=20)):
                if not name:
                    raise ValueError("a name")
                op.create_table(name, sa.Column("id", sa.Integer(), primary_key=True), sa.Column("width", width),
                                sa.Column("kind", kind))
                op.create_index("ix_%s_kind" % name, name, ["kind"])
            """
        );

        var table = Assert.Single(Replay().SchemaOf("a1").Tables);

        Assert.Equal("widgets", table.Name);
        Assert.Equal(
            ["id:integer", "width:integer", "kind:character varying(20)"],
            table.Columns.Select(c => $"{c.Name}:{c.Type}")
        );
        Assert.Contains(table.Indexes, i => i.Name == "ix_widgets_kind");
    }

    [Fact]
    public void Functions_and_constants_of_a_project_module_on_prepend_sys_path_are_followed()
    {
        File.WriteAllText(
            Path.Combine(_project.Root, "alembic.ini"),
            File.ReadAllText(Path.Combine(_project.Root, "alembic.ini"))
                .Replace("prepend_sys_path = .", "prepend_sys_path = . lib", StringComparison.Ordinal)
        );
        _project
            .Module("lib/shop/__init__.py", string.Empty)
            .Module(
                "lib/shop/constants.py",
                "UUID_LENGTH = 36\nSTATES = ('new', 'paid')\nALL_STATES = ('void', *STATES)\n"
            )
            .Module(
                "lib/shop/tables.py",
                """
                from alembic import op
                import sqlalchemy as sa
                from shop import constants


                def upgrade():
                    op.create_table(
                        "orders",
                        sa.Column("id", sa.String(length=constants.UUID_LENGTH), primary_key=True),
                        sa.Column("state", sa.Enum(*constants.ALL_STATES, name="order_state")))
                """
            );
        _project.Revision("a1", null, "tables.upgrade()");
        var file = Directory.GetFiles(_project.VersionsDirectory).Single();
        File.WriteAllText(
            file,
            File.ReadAllText(file)
                .Replace(
                    "from alembic import op\n",
                    "from alembic import op\nfrom shop import tables\n",
                    StringComparison.Ordinal
                )
        );

        var schema = Replay().SchemaOf("a1");

        var orders = Assert.Single(schema.Tables);
        Assert.Equal("character varying(36)", orders.Columns.Single(c => c.Name == "id").Type);
        Assert.Equal(["void", "new", "paid"], Assert.Single(schema.Enums).Labels);
    }

    [Fact]
    public void A_projects_own_column_types_are_stored_as_their_impl()
    {
        _project
            .Module("shop/__init__.py", string.Empty)
            .Module(
                "shop/types.py",
                """
                import sqlalchemy as sa
                from sqlalchemy.dialects import mysql


                class JsonEncoded(sa.TypeDecorator):
                    # Stored as JSON text.
                    cache_ok = True
                    impl = sa.Text

                    def process_bind_param(self, value, dialect):
                        return value


                def LongText():
                    return sa.Text().with_variant(mysql.LONGTEXT(), 'mysql')


                class JsonLong(JsonEncoded):
                    impl = LongText()


                class Code(sa.TypeDecorator):
                    impl = sa.String(12)


                class ShortCode(Code):
                    pass
                """
            );
        _project.Revision(
            "a1",
            null,
            """
            op.create_table("docs", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("body", st.JsonEncoded()),
                            sa.Column("long", st.JsonLong()), sa.Column("code", st.ShortCode(), nullable=False))
            """
        );
        var file = Directory.GetFiles(_project.VersionsDirectory).Single();
        File.WriteAllText(
            file,
            File.ReadAllText(file)
                .Replace(
                    "from alembic import op\n",
                    "from alembic import op\nfrom shop import types as st\n",
                    StringComparison.Ordinal
                )
        );

        var docs = Assert.Single(Replay().SchemaOf("a1").Tables);

        Assert.Equal(
            ["id:integer", "body:text", "long:text", "code:character varying(12)"],
            docs.Columns.Select(c => $"{c.Name}:{c.Type}")
        );
    }

    [Fact]
    public void A_core_table_created_behind_an_existence_test_in_a_loop_is_created_once()
    {
        _project.Revision(
            "a1",
            null,
            """
            meta = sa.MetaData()
            services = sa.Table("services", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("host", sa.String(255)))
            quotas = sa.Table("quotas", meta, sa.Column("id", sa.Integer, primary_key=True))
            for table in [services, quotas]:
                if not table.exists():
                    try:
                        table.create()
                    except Exception:
                        raise
            """
        );

        var schema = Replay().SchemaOf("a1");

        Assert.Equal(["quotas", "services"], schema.Tables.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Empty(schema.Unknown);
    }

    [Fact]
    public void What_depends_on_reflection_is_an_unknown_part_of_its_table_and_never_a_difference()
    {
        _project
            .Revision(
                "a1",
                null,
                """
                op.create_table("parents", sa.Column("id", sa.Integer(), primary_key=True))
                op.create_table("children", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("parent_id", sa.Integer()))
                """
            )
            .Revision(
                "b2",
                "a1",
                """
                inspector = sa.inspect(op.get_bind())
                for fk in inspector.get_foreign_keys("children"):
                    op.drop_constraint(fk["name"], "children", type_="foreignkey")
                op.add_column("children", sa.Column("note", sa.Text()))
                """
            );
        var replay = Replay();
        var expected = replay.SchemaOf("b2");
        var unknown = Assert.Single(expected.Unknown);
        Assert.Equal(("children", UnknownParts.Keys | UnknownParts.Indexes), (unknown.Table, unknown.Parts));
        Assert.Empty(replay.SchemaOf("a1").Unknown);

        // A live table with a foreign key the replay cannot know about: no difference; a column it does know: one.
        var live = expected with
        {
            Tables = expected
                .Tables.Select(t =>
                    t.Name != "children"
                        ? t
                        : t with
                        {
                            Columns = t.Columns.Where(c => c.Name != "note").ToList(),
                            ForeignKeys =
                            [
                                new ForeignKeyState
                                {
                                    Name = "children_parent_id_fkey",
                                    Schema = "public",
                                    Table = "children",
                                    Columns = ["parent_id"],
                                    ReferencedSchema = "public",
                                    ReferencedTable = "parents",
                                    ReferencedColumns = ["id"],
                                    Definition = "FOREIGN KEY (parent_id) REFERENCES parents(id)",
                                },
                            ],
                        }
                )
                .ToList(),
            Unknown = [],
        };
        var difference = Assert.Single(SchemaComparer.Compare(expected, live));
        Assert.Equal((DifferenceKind.MissingColumn, "note"), (difference.Kind, difference.Column));
    }

    private StaticReplay Replay() => StaticReplay.Run(AlembicHistory.Load(_project.Root, _log));
}
