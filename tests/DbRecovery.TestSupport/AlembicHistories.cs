namespace DbRecovery.TestSupport;

/// <summary>Histories shaped like real projects, for tests that need one.</summary>
public static class AlembicHistories
{
    /// <summary>The revision an incident database really is at.</summary>
    public const string IncidentTrueRevision = "c3a7b4bbf913";

    /// <summary>The incident history's head, which alembic_version claims.</summary>
    public const string IncidentHead = "dc2c0f69c1b1";

    /// <summary>The data-only revision whose schema equals its parent's.</summary>
    public const string IncidentDataOnly = "58ea862c1242";

    /// <summary>
    /// Rows for the incident's tables at its true revision: 3 organizations, 12 users with a deal, a document and a
    /// comment each.
    /// </summary>
    public const string IncidentRows = """
        INSERT INTO organizations (id, name) SELECT gen_random_uuid(), 'org ' || g FROM generate_series(1, 3) g;
        INSERT INTO users (id, organization_id, email) SELECT gen_random_uuid(), o.id, 'user' || g || '@' || replace(o.name, ' ', '') || '.test' FROM organizations o, generate_series(1, 4) g;
        INSERT INTO deals (id, organization_id, created_by, owner_id, title) SELECT gen_random_uuid(), organization_id, id, id, 'deal' FROM users;
        INSERT INTO documents (id, uploaded_by, name) SELECT gen_random_uuid(), id, 'doc' FROM users;
        INSERT INTO comments (id, author_id, deal_id, body) SELECT gen_random_uuid(), owner_id, id, 'hi' FROM deals;
        """;

    /// <summary>Tables the revisions after the true one add.</summary>
    public static readonly string[] IncidentLaterTables =
    [
        "folders",
        "pipeline_templates",
        "pipeline_template_stages",
        "rbac_audit_logs",
    ];

    /// <summary>
    /// Thirteen revisions shaped like the incident: organizations and users with ids of
    /// <paramref name="idType"/>, deals, documents and comments referencing them; then revisions that add
    /// folders, pipeline_templates, pipeline_template_stages and rbac_audit_logs referencing users.id as
    /// VARCHAR(36), which fail while the ids are uuid.
    /// </summary>
    public static AlembicTestProject Incident(AlembicTestProject project, string idType = "sa.String(36)") =>
        project
            .Revision(
                "1a2b3c4d5e6f",
                null,
                $"""
                op.create_table("organizations",
                    sa.Column("id", {idType}, primary_key=True, server_default=sa.text("gen_random_uuid()")),
                    sa.Column("name", sa.String(200), nullable=False))
                """,
                "create organizations"
            )
            .Revision(
                "2b3c4d5e6f7a",
                "1a2b3c4d5e6f",
                $"""
                op.create_table("users",
                    sa.Column("id", {idType}, primary_key=True, server_default=sa.text("gen_random_uuid()")),
                    sa.Column("organization_id", {idType}, sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
                    sa.Column("email", sa.String(255), nullable=False, unique=True))
                """,
                "create users"
            )
            .Revision(
                "3c4d5e6f7a8b",
                "2b3c4d5e6f7a",
                $"""
                op.create_table("deals",
                    sa.Column("id", {idType}, primary_key=True),
                    sa.Column("organization_id", {idType}, sa.ForeignKey("organizations.id"), nullable=False),
                    sa.Column("created_by", {idType}, sa.ForeignKey("users.id", ondelete="SET NULL")),
                    sa.Column("owner_id", {idType}, sa.ForeignKey("users.id")),
                    sa.Column("title", sa.Text(), nullable=False))
                """,
                "create deals"
            )
            .Revision(
                "4d5e6f7a8b9c",
                "3c4d5e6f7a8b",
                $"""
                op.create_table("documents",
                    sa.Column("id", {idType}, primary_key=True),
                    sa.Column("uploaded_by", {idType}, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("name", sa.String(255)))
                """,
                "create documents"
            )
            .Revision(
                "5e6f7a8b9c0d",
                "4d5e6f7a8b9c",
                $"""
                op.create_table("comments",
                    sa.Column("id", {idType}, primary_key=True),
                    sa.Column("author_id", {idType}, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("deal_id", {idType}, sa.ForeignKey("deals.id", ondelete="CASCADE")),
                    sa.Column("body", sa.Text()))
                """,
                "create comments"
            )
            .Revision(
                "6f7a8b9c0d1e",
                "5e6f7a8b9c0d",
                """
                op.add_column("users", sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
                """,
                "users last login"
            )
            .Revision(
                "7a8b9c0d1e2f",
                "6f7a8b9c0d1e",
                """
                op.create_index(op.f("ix_deals_owner_id"), "deals", ["owner_id"])
                """,
                "index deal owners"
            )
            .Revision(
                IncidentDataOnly,
                "7a8b9c0d1e2f",
                """
                op.execute("UPDATE deals SET title = trim(title)")
                """,
                "trim deal titles"
            )
            .Revision(
                IncidentTrueRevision,
                IncidentDataOnly,
                """
                op.add_column("deals", sa.Column("stage", sa.String(20), nullable=False, server_default="lead"))
                """,
                "deal stage"
            )
            .Revision(
                "d4e5f6a7b8c9",
                IncidentTrueRevision,
                """
                op.create_table("folders",
                    sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("owner_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("name", sa.String(200), nullable=False))
                """,
                "create folders"
            )
            .Revision(
                "e5f6a7b8c9d0",
                "d4e5f6a7b8c9",
                """
                op.create_table("pipeline_templates",
                    sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("created_by", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("folder_id", sa.String(36), sa.ForeignKey("folders.id")))
                """,
                "create pipeline templates"
            )
            .Revision(
                "f6a7b8c9d0e1",
                "e5f6a7b8c9d0",
                """
                op.create_table("pipeline_template_stages",
                    sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("template_id", sa.String(36), sa.ForeignKey("pipeline_templates.id", ondelete="CASCADE"), nullable=False),
                    sa.Column("position", sa.Integer(), nullable=False))
                """,
                "create pipeline template stages"
            )
            .Revision(
                IncidentHead,
                "f6a7b8c9d0e1",
                """
                op.create_table("rbac_audit_logs",
                    sa.Column("id", sa.BigInteger(), primary_key=True),
                    sa.Column("actor_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("action", sa.String(100), nullable=False),
                    sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()")))
                """,
                "create rbac audit logs"
            );

    /// <summary>base → a → (b1, c1) → b2 → merge(b2, c1) → after. Branch b adds invoices, branch c adds tags.</summary>
    public static AlembicTestProject BranchAndMerge(AlembicTestProject project) =>
        project
            .Revision(
                "base0001",
                null,
                """op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True))"""
            )
            .Revision("aaaa0002", "base0001", """op.add_column("accounts", sa.Column("name", sa.Text()))""")
            .Revision(
                "bbbb0003",
                "aaaa0002",
                """op.create_table("invoices", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id")))"""
            )
            .Revision(
                "cccc0004",
                "aaaa0002",
                """op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("label", sa.String(50)))"""
            )
            .Revision("bbbb0005", "bbbb0003", """op.add_column("invoices", sa.Column("total", sa.Numeric(12, 2)))""")
            .Revision("mmmm0006", "bbbb0005,cccc0004", "pass", "merge billing and tagging")
            .Revision(
                "zzzz0007",
                "mmmm0006",
                """op.create_table("audit", sa.Column("id", sa.Integer(), primary_key=True))"""
            );

    /// <summary>Batch operations, renames and op.execute DDL.</summary>
    public static AlembicTestProject BatchRenameExecute(AlembicTestProject project) =>
        project
            .Revision(
                "r1000001",
                null,
                """
                op.create_table("people", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(100)), sa.Column("nick", sa.String(30)))
                """
            )
            .Revision(
                "r1000002",
                "r1000001",
                """
                op.rename_table("people", "persons")
                with op.batch_alter_table("persons") as batch_op:
                    batch_op.alter_column("name", new_column_name="full_name")
                    batch_op.add_column(sa.Column("age", sa.Integer(), nullable=True))
                    batch_op.drop_column("nick")
                """
            )
            .Revision(
                "r1000003",
                "r1000002",
                """
                op.execute('CREATE TABLE "Audit Log" (id serial PRIMARY KEY, actor varchar(36) NOT NULL, at timestamptz DEFAULT now())')
                op.execute("ALTER TABLE persons ADD COLUMN email text")
                """
            )
            .Revision(
                "r1000004",
                "r1000003",
                """
                op.execute("ALTER TABLE persons ALTER COLUMN email TYPE varchar(320)")
                op.create_index("ix_persons_email", "persons", ["email"], unique=True)
                """
            );

    /// <summary>
    /// Indexes written in raw SQL and with <c>sa.text</c> elements, as projects tune them: DESC, NULLS FIRST, an
    /// operator class, COLLATE, INCLUDE, a partial index, and expressions (which stay expressions).
    /// </summary>
    public static AlembicTestProject RawSqlIndexes(AlembicTestProject project) =>
        project
            .Revision(
                "ixs00001",
                null,
                """
                op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                op.create_table("events", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("key", sa.Integer()),
                    sa.Column("name", sa.Text()), sa.Column("created", sa.DateTime()))
                op.execute("CREATE INDEX ix_events_key_created ON events (key, created DESC)")
                op.execute("CREATE INDEX ix_events_name_trgm ON events USING gin (name gin_trgm_ops)")
                op.execute("CREATE INDEX ix_events_lower_name ON events (lower(name))")
                op.execute("CREATE INDEX ix_events_key_partial ON events (key) INCLUDE (name) WHERE key > 0")
                op.execute('CREATE UNIQUE INDEX ix_events_name_c ON events (name COLLATE "C" NULLS FIRST)')
                """,
                "raw SQL indexes"
            )
            .Revision(
                "ixs00002",
                "ixs00001",
                """
                op.create_index("ix_events_text_desc", "events", ["key", sa.text("created DESC NULLS LAST")])
                op.create_index("ix_events_text_expression", "events", [sa.text("lower(name)"), "key"])
                """,
                "sa.text index elements"
            );

    /// <summary>
    /// Column types from libraries and from the project itself, as real projects write them: sqlalchemy_utils and
    /// oslo.db types (which the replay maps to what PostgreSQL stores), a project TypeDecorator whose
    /// load_dialect_impl picks the type (which the replay cannot know: Unknown), and a type read off an instance
    /// (<c>JsonEncodedDict().impl</c>). Needs python3-sqlalchemy-utils and python3-oslo.db.
    /// </summary>
    public static AlembicTestProject LibraryTypes(AlembicTestProject project) =>
        project
            .Module("shopapp/__init__.py", string.Empty)
            .Module(
                "shopapp/types.py",
                """
                import sqlalchemy as sa
                from sqlalchemy.dialects import postgresql

                class Precise(sa.types.TypeDecorator):
                    impl = sa.DateTime
                    cache_ok = True

                    def load_dialect_impl(self, dialect):
                        if dialect.name == "mysql":
                            return dialect.type_descriptor(sa.Numeric(20, 6))
                        return dialect.type_descriptor(postgresql.TIMESTAMP(timezone=True))
                """
            )
            .Revision(
                "lib00001",
                null,
                """
                import sqlalchemy_utils
                from oslo_db.sqlalchemy import types as db_types
                from shopapp.types import Precise
                op.create_table("things",
                    sa.Column("id", sqlalchemy_utils.UUIDType(binary=False), primary_key=True),
                    sa.Column("doc", sqlalchemy_utils.JSONType()),
                    sa.Column("email", sqlalchemy_utils.EmailType(), nullable=False),
                    sa.Column("kind", sqlalchemy_utils.ChoiceType([("a", "A"), ("b", "B")])),
                    sa.Column("tags", sqlalchemy_utils.ScalarListType()),
                    sa.Column("home", sqlalchemy_utils.URLType()),
                    sa.Column("address", sqlalchemy_utils.IPAddressType()),
                    sa.Column("extra", db_types.JsonEncodedDict()),
                    sa.Column("history", db_types.JsonEncodedList()),
                    sa.Column("deleted", db_types.SoftDeleteInteger(), server_default="0"),
                    sa.Column("inventory", db_types.JsonEncodedDict(mysql_as_long=True).impl),
                    sa.Column("seen_at", Precise()))
                """,
                "library and project types"
            )
            .Revision(
                "lib00002",
                "lib00001",
                """
                import sqlalchemy_utils
                op.create_table("notes", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("thing_id", sqlalchemy_utils.UUIDType(binary=False), sa.ForeignKey("things.id"), nullable=False))
                """,
                "a key of a library type, referenced"
            );

    /// <summary>
    /// Revisions whose schemas differ only in details: a type-only migration (timestamp to timestamptz), a
    /// no-op, an enum label, a foreign key's ON DELETE, a data-only change and a nullability change.
    /// </summary>
    public static AlembicTestProject LookAlikes(AlembicTestProject project) =>
        project
            .Revision(
                "look0001",
                null,
                """
                op.create_table("items", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.Text()))
                op.create_table("events",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("at", sa.DateTime()),
                    sa.Column("kind", sa.Enum("created", "deleted", name="event_kind")),
                    sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE")))
                """,
                "events and items"
            )
            .Revision(
                "look0002",
                "look0001",
                """op.alter_column("events", "at", type_=sa.DateTime(timezone=True))""",
                "events at with time zone"
            )
            .Revision("look0003", "look0002", "pass", "nothing")
            .Revision(
                "look0004",
                "look0003",
                """op.execute("ALTER TYPE event_kind ADD VALUE 'updated' AFTER 'created'")""",
                "updated events"
            )
            .Revision(
                "look0005",
                "look0004",
                """
                op.drop_constraint("events_item_id_fkey", "events", type_="foreignkey")
                op.create_foreign_key("events_item_id_fkey", "events", "items", ["item_id"], ["id"], ondelete="SET NULL")
                """,
                "keep events of deleted items"
            )
            .Revision("look0006", "look0005", """op.execute("UPDATE items SET name = trim(name)")""", "trim names")
            .Revision(
                "look0007",
                "look0006",
                """op.alter_column("items", "name", nullable=False, existing_type=sa.Text())""",
                "names required"
            );
}
