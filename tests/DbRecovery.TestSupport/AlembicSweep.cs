using System.Globalization;

namespace DbRecovery.TestSupport;

/// <summary>
/// A generated linear history that sweeps Alembic's operations and their arguments: every column type the
/// replay maps, every column flag combination, every constraint kind inline and as its own operation, named
/// and unnamed, every referential action pair, index options, alterations, renames, batch operations in
/// place and recreated, enums, identity and computed columns, other schemas, comments and DDL in
/// <c>op.execute</c>. Each revision holds a few operations; tables are named after the revision that
/// makes them, so the cases do not interfere.
/// </summary>
public static class AlembicSweep
{
    private static readonly string[] Actions = ["None", "CASCADE", "SET NULL", "RESTRICT", "NO ACTION", "SET DEFAULT"];

    /// <summary>The upgrade bodies, in order; each becomes one revision.</summary>
    public static IReadOnlyList<string> Bodies()
    {
        var bodies = new List<string>();
        bodies.AddRange(Types());
        bodies.AddRange(ColumnFlags());
        bodies.AddRange(PrimaryKeys());
        bodies.AddRange(ForeignKeys());
        bodies.AddRange(Uniques());
        bodies.AddRange(Indexes());
        bodies.AddRange(ColumnChanges());
        bodies.AddRange(TableChanges());
        bodies.AddRange(Constraints());
        bodies.AddRange(Enums());
        bodies.AddRange(Schemas());
        bodies.AddRange(RawSql());
        return bodies;
    }

    /// <summary>How many operations (<c>op.*</c>, <c>batch_op.*</c> calls) the sweep makes.</summary>
    public static int OperationCount() =>
        Bodies()
            .Sum(b =>
                b.Split('\n')
                    .Count(l =>
                        l.TrimStart().StartsWith("op.", StringComparison.Ordinal)
                        || l.TrimStart().StartsWith("batch_op.", StringComparison.Ordinal)
                    )
            );

    /// <summary>Writes the sweep as revisions <c>sw0000</c>, <c>sw0001</c>, … of <paramref name="project"/>.</summary>
    public static AlembicTestProject Write(AlembicTestProject project)
    {
        var bodies = Bodies();
        for (var i = 0; i < bodies.Count; i++)
        {
            project.Revision(Id(i), i == 0 ? null : Id(i - 1), bodies[i]);
        }

        return project;
    }

    /// <summary>The id of revision <paramref name="index"/>.</summary>
    public static string Id(int index) => "sw" + index.ToString("0000", CultureInfo.InvariantCulture);

    private static IEnumerable<string> Types()
    {
        string[] types =
        [
            "sa.String()",
            "sa.String(36)",
            "sa.Text()",
            "sa.Integer()",
            "sa.Integer",
            "sa.BigInteger()",
            "sa.SmallInteger()",
            "sa.Boolean()",
            "sa.Float()",
            "sa.Float(precision=53)",
            "sa.Float(24)",
            "sa.Numeric()",
            "sa.Numeric(10, 2)",
            "sa.Numeric(precision=8)",
            "sa.Date()",
            "sa.DateTime()",
            "sa.DateTime(timezone=True)",
            "sa.Time()",
            "sa.Time(timezone=True)",
            "sa.Interval()",
            "sa.JSON()",
            "postgresql.JSONB()",
            "postgresql.UUID(as_uuid=True)",
            "postgresql.UUID()",
            "sa.LargeBinary()",
            "postgresql.BYTEA()",
            "postgresql.INET()",
            "postgresql.CIDR()",
            "postgresql.MACADDR()",
            "postgresql.TSVECTOR()",
            "sa.ARRAY(sa.Integer())",
            "postgresql.ARRAY(sa.String(20))",
            "sa.CHAR(3)",
            "sa.Unicode(50)",
            "sa.UnicodeText()",
            "sa.VARCHAR(length=12)",
            "postgresql.TIMESTAMP(timezone=True)",
            "postgresql.DOUBLE_PRECISION()",
            "sa.REAL()",
            "sa.TIMESTAMP()",
            "sa.BIGINT()",
            "sa.NUMERIC(12, 4)",
            "postgresql.INTERVAL()",
            "sa.types.String(5)",
            "sa.sql.sqltypes.Integer()",
        ];
        for (var chunk = 0; chunk * 9 < types.Length; chunk++)
        {
            var columns = types.Skip(chunk * 9).Take(9).Select((t, i) => $"    sa.Column(\"c{i}\", {t}),");
            yield return $"op.create_table(\"types_{chunk}\",\n    sa.Column(\"id\", sa.Integer(), "
                + $"primary_key=True),\n{string.Join('\n', columns)}\n)";
        }
    }

    private static IEnumerable<string> ColumnFlags()
    {
        string[] nullables = [string.Empty, ", nullable=True", ", nullable=False"];
        string[] uniques = [string.Empty, ", unique=True"];
        string[] indexes = [string.Empty, ", index=True"];
        string[] defaults =
        [
            string.Empty,
            ", server_default=\"x\"",
            ", server_default=sa.text(\"'y'\")",
            ", server_default=sa.func.now()",
        ];
        var columns = (
            from n in nullables
            from u in uniques
            from i in indexes
            from d in defaults
            select (n, u, i, d)
        ).ToList();
        for (var chunk = 0; chunk * 8 < columns.Count; chunk++)
        {
            var lines = columns
                .Skip(chunk * 8)
                .Take(8)
                .Select(
                    (c, i) =>
                        $"    sa.Column(\"f{i}\", "
                        + $"{(c.d.Contains("now", StringComparison.Ordinal) ? "sa.DateTime()" : "sa.String(10)")}{c.n}{c.u}{c.i}{c.d}, comment=\"flag {i}\"),"
                );
            yield return $"op.create_table(\"flags_{chunk}\",\n    sa.Column(\"id\", sa.Integer(), "
                + $"primary_key=True),\n{string.Join('\n', lines)}\n    comment=\"flags\",\n)";
        }
    }

    private static IEnumerable<string> PrimaryKeys()
    {
        yield return """
            op.create_table("pk_serial", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("v", sa.Text()))
            op.create_table("pk_bigserial", sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True))
            op.create_table("pk_plain", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False))
            op.create_table("pk_text", sa.Column("code", sa.String(8), primary_key=True))
            """;
        yield return """
            op.create_table("pk_composite", sa.Column("a", sa.Integer(), primary_key=True), sa.Column("b", sa.String(5), primary_key=True))
            op.create_table("pk_constraint", sa.Column("a", sa.Integer()), sa.Column("b", sa.Integer()), sa.PrimaryKeyConstraint("a", "b"))
            op.create_table("pk_named", sa.Column("a", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint("a", name="pk_named_custom"))
            """;
        yield return """
            op.create_table("pk_identity", sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True), sa.Column("n", sa.BigInteger(), sa.Identity(always=True, start=10)))
            op.create_table("pk_computed", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("a", sa.Integer()), sa.Column("twice", sa.Integer(), sa.Computed("a * 2")))
            op.create_table("pk_none", sa.Column("v", sa.Text()))
            """;
        yield return """
            op.create_primary_key("pk_none_pkey", "pk_none", ["v"])
            op.drop_constraint("pk_named_custom", "pk_named", type_="primary")
            """;
    }

    private static IEnumerable<string> ForeignKeys()
    {
        yield return """
            op.create_table("fk_parent", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.String(10), nullable=False), sa.Column("k", sa.Integer(), nullable=False), sa.UniqueConstraint("code", "k", name="uq_fk_parent_code_k"), sa.UniqueConstraint("code"))
            """;
        var pairs = (from d in Actions from u in Actions select (d, u)).ToList();
        for (var chunk = 0; chunk * 6 < pairs.Count; chunk++)
        {
            var lines = new List<string>();
            var constraints = new List<string>();
            foreach (var (pair, i) in pairs.Skip(chunk * 6).Take(6).Select((p, i) => (p, i)))
            {
                var options =
                    (pair.d == "None" ? string.Empty : $", ondelete=\"{pair.d}\"")
                    + (pair.u == "None" ? string.Empty : $", onupdate=\"{pair.u}\"");
                var name = i % 2 == 0 ? string.Empty : $", name=\"fk_act_{chunk}_{i}\"";
                if (i % 3 == 2)
                {
                    lines.Add($"    sa.Column(\"p{i}\", sa.Integer()),");
                    constraints.Add($"    sa.ForeignKeyConstraint([\"p{i}\"], [\"fk_parent.id\"]{options}{name}),");
                }
                else
                {
                    lines.Add(
                        $"    sa.Column(\"p{i}\", sa.Integer(), sa.ForeignKey(\"fk_parent.id\"{options}{name})),"
                    );
                }
            }

            yield return $"op.create_table(\"fk_actions_{chunk}\",\n    sa.Column(\"id\", sa.Integer(), "
                + $"primary_key=True),\n{string.Join('\n', lines.Concat(constraints))}\n)";
        }

        yield return """
            op.create_table("fk_options",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("a", sa.Integer(), sa.ForeignKey("fk_parent.id", deferrable=True)),
                sa.Column("b", sa.Integer(), sa.ForeignKey("fk_parent.id", deferrable=True, initially="DEFERRED")),
                sa.Column("c", sa.Integer(), sa.ForeignKey("fk_parent.id", deferrable=True, initially="IMMEDIATE")),
                sa.Column("d", sa.Integer(), sa.ForeignKey("fk_parent.id", use_alter=True)),
                sa.Column("code", sa.String(10)),
                sa.Column("k", sa.Integer()),
                sa.Column("owner", sa.Integer()),
                sa.ForeignKeyConstraint(["code", "k"], ["fk_parent.code", "fk_parent.k"], match="FULL", name="fk_options_pair"),
                sa.ForeignKeyConstraint(["owner"], ["fk_options.id"], ondelete="SET NULL"),
            )
            """;
        yield return """
            op.create_table("fk_later", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("parent_id", sa.Integer()), sa.Column("code", sa.String(10)), sa.Column("k", sa.Integer()), sa.Column("x", sa.Integer()))
            op.create_foreign_key("fk_later_parent", "fk_later", "fk_parent", ["parent_id"], ["id"], ondelete="CASCADE", onupdate="SET NULL")
            op.create_foreign_key(None, "fk_later", "fk_parent", ["code", "k"], ["code", "k"], deferrable=True, initially="DEFERRED", match="FULL")
            op.create_foreign_key("fk_later_x", "fk_later", "fk_parent", ["x"], ["id"])
            """;
        yield return """
            op.drop_constraint("fk_later_x", "fk_later", type_="foreignkey")
            op.drop_constraint("fk_options_pair", "fk_options")
            op.drop_constraint("fk_act_0_1", "fk_actions_0", type_="foreignkey")
            """;
    }

    private static IEnumerable<string> Uniques()
    {
        yield return """
            op.create_table("uq_inline",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("slug", sa.String(50)),
                sa.Column("a", sa.Integer()),
                sa.Column("b", sa.Integer()),
                sa.Column("c", sa.Integer()),
                sa.Column("d", sa.Integer(), unique=True, index=True),
                sa.UniqueConstraint("slug", name="uq_uq_inline_slug"),
                sa.UniqueConstraint("a", "b"),
                sa.UniqueConstraint("c", name="uq_inline_c_named"),
                sa.UniqueConstraint("b", "c", name="uq_inline_bc"),
            )
            """;
        yield return """
            op.create_table("uq_later", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("a", sa.Integer()), sa.Column("b", sa.Integer()))
            op.create_unique_constraint("uq_later_a", "uq_later", ["a"])
            op.create_unique_constraint(None, "uq_later", ["a", "b"])
            op.drop_constraint("uq_inline_bc", "uq_inline", type_="unique")
            """;
    }

    private static IEnumerable<string> Indexes()
    {
        yield return """
            op.create_table("ix_base",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("name", sa.String(50), index=True),
                sa.Column("email", sa.String(100)),
                sa.Column("tags", postgresql.ARRAY(sa.Text())),
                sa.Column("doc", postgresql.JSONB()),
                sa.Column("deleted_at", sa.DateTime()),
                sa.Column("n", sa.Integer()),
                sa.Index("ix_base_email_n", "email", "n"),
                sa.Index(None, "n", unique=True),
            )
            """;
        yield return """
            op.create_index("ix_base_email", "ix_base", ["email"])
            op.create_index(op.f("ix_base_email_unique"), "ix_base", ["email"], unique=True)
            op.create_index("ix_base_live", "ix_base", ["name"], postgresql_where=sa.text("deleted_at IS NULL"))
            op.create_index("ix_base_tags", "ix_base", ["tags"], postgresql_using="gin")
            op.create_index("ix_base_doc", "ix_base", ["doc"], unique=False, postgresql_using="gin")
            op.create_index("ix_base_hash", "ix_base", ["name"], postgresql_using="hash")
            """;
        yield return """
            op.create_index("ix_base_lower", "ix_base", [sa.text("lower(email)")])
            op.create_index("ix_base_cover", "ix_base", ["n"], postgresql_include=["email"])
            op.create_index("ix_base_multi", "ix_base", ["n", sa.text("lower(name)")])
            op.drop_index("ix_base_email_n", table_name="ix_base")
            op.drop_index(op.f("ix_base_email_unique"))
            """;
    }

    private static IEnumerable<string> ColumnChanges()
    {
        yield return """
            op.create_table("alter_me", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("a", sa.String(10)), sa.Column("b", sa.Integer(), nullable=False), sa.Column("c", sa.Text()), sa.Column("d", sa.Integer()), sa.Column("e", sa.Integer()))
            op.create_index("ix_alter_me_d", "alter_me", ["d"])
            """;
        yield return """
            op.add_column("alter_me", sa.Column("f", sa.Integer(), sa.ForeignKey("fk_parent.id", ondelete="CASCADE")))
            op.add_column("alter_me", sa.Column("g", sa.String(20), nullable=False, server_default="none"))
            op.add_column("alter_me", sa.Column("h", sa.Integer(), unique=True))
            op.add_column("alter_me", sa.Column("i", sa.Integer(), index=True))
            op.add_column("alter_me", sa.Column("j", sa.Boolean(), server_default=sa.false(), nullable=False))
            """;
        yield return """
            op.alter_column("alter_me", "a", type_=sa.String(50), existing_type=sa.String(10))
            op.alter_column("alter_me", "b", nullable=True, existing_type=sa.Integer())
            op.alter_column("alter_me", "c", new_column_name="c_renamed", comment="renamed")
            op.alter_column("alter_me", "e", type_=sa.BigInteger(), nullable=False, server_default="0")
            op.alter_column("alter_me", "d", new_column_name="d2")
            op.alter_column("alter_me", "g", server_default=None)
            """;
        yield return """
            op.alter_column("alter_me", "a", type_=sa.Integer(), postgresql_using="length(a)")
            op.drop_column("alter_me", "f")
            op.drop_column("alter_me", "i")
            op.drop_column("alter_me", "h")
            """;
    }

    private static IEnumerable<string> TableChanges()
    {
        yield return """
            op.create_table("old_name", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("v", sa.String(5), unique=True))
            op.create_table("doomed", sa.Column("id", sa.Integer(), primary_key=True))
            op.create_table("batch_me", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("a", sa.String(10)), sa.Column("b", sa.Integer()), sa.Column("old", sa.Text()))
            """;
        yield return """
            op.rename_table("old_name", "new_name")
            op.drop_table("doomed")
            with op.batch_alter_table("batch_me") as batch_op:
                batch_op.add_column(sa.Column("c", sa.Integer(), nullable=True))
                batch_op.alter_column("a", new_column_name="a2", type_=sa.String(20))
                batch_op.drop_column("old")
                batch_op.create_index("ix_batch_me_b", ["b"])
                batch_op.create_foreign_key("fk_batch_me_c", "fk_parent", ["c"], ["id"], ondelete="CASCADE")
                batch_op.create_unique_constraint("uq_batch_me_b", ["b"])
            """;
        yield return """
            with op.batch_alter_table("batch_me", recreate="always") as batch_op:
                batch_op.add_column(sa.Column("d", sa.Integer(), nullable=True))
                batch_op.alter_column("b", nullable=False, existing_type=sa.Integer())
                batch_op.drop_constraint("uq_batch_me_b", type_="unique")
                batch_op.create_foreign_key(batch_op.f("fk_batch_me_d_final"), "fk_parent", ["d"], ["id"])
            """;
        yield return """
            with op.batch_alter_table("batch_me") as batch_op:
                batch_op.drop_constraint("fk_batch_me_d_final", type_="foreignkey")
            """;
    }

    private static IEnumerable<string> Constraints()
    {
        yield return """
            op.create_table("ck_table", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("n", sa.Integer()), sa.CheckConstraint("n > 0", name="ck_positive"), sa.CheckConstraint("n < 1000", name="below_1000"))
            op.create_check_constraint("ck_small", "ck_table", "n < 100")
            op.drop_constraint("ck_positive", "ck_table", type_="check")
            """;
    }

    private static IEnumerable<string> Enums()
    {
        yield return """
            op.create_table("enum_table", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("mood", sa.Enum("happy", "sad", name="mood")), sa.Column("size", postgresql.ENUM("s", "m", "l", name="shirt_size")))
            """;
        yield return """
            op.execute("CREATE TYPE colour AS ENUM ('red', 'green')")
            op.add_column("enum_table", sa.Column("colour", postgresql.ENUM("red", "green", name="colour", create_type=False)))
            op.execute("ALTER TYPE mood ADD VALUE 'calm'")
            """;
        yield return """
            op.execute("ALTER TYPE colour ADD VALUE 'blue' BEFORE 'green'")
            op.execute("ALTER TYPE shirt_size RENAME VALUE 'l' TO 'large'")
            """;
    }

    private static IEnumerable<string> Schemas()
    {
        yield return """
            op.execute("CREATE SCHEMA sweep_other")
            op.create_table("remote", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(20), unique=True), schema="sweep_other")
            op.create_table("local_ref", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("remote_id", sa.Integer(), sa.ForeignKey("sweep_other.remote.id", ondelete="CASCADE")))
            """;
        yield return """
            op.add_column("remote", sa.Column("extra", sa.Integer()), schema="sweep_other")
            op.create_index("ix_remote_extra", "remote", ["extra"], schema="sweep_other")
            op.create_table("remote_child", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("remote_id", sa.Integer()), schema="sweep_other")
            op.create_foreign_key("fk_remote_child", "remote_child", "remote", ["remote_id"], ["id"], source_schema="sweep_other", referent_schema="sweep_other")
            op.rename_table("remote_child", "remote_kid", schema="sweep_other")
            """;
    }

    private static IEnumerable<string> RawSql()
    {
        yield return """
            op.execute('CREATE TABLE raw_one (id serial PRIMARY KEY, code varchar(12) NOT NULL UNIQUE, owner integer REFERENCES fk_parent (id) ON DELETE CASCADE, at timestamptz DEFAULT now())')
            op.execute("CREATE TABLE raw_two (a integer NOT NULL, b text, CONSTRAINT raw_two_pk PRIMARY KEY (a), CONSTRAINT raw_two_b_key UNIQUE (b), FOREIGN KEY (a) REFERENCES fk_parent (id) ON UPDATE CASCADE)")
            """;
        yield return """
            op.execute("ALTER TABLE raw_one ADD COLUMN note text, ADD COLUMN n integer NOT NULL DEFAULT 0")
            op.execute("CREATE INDEX raw_one_note_idx ON raw_one (note)")
            op.execute("CREATE UNIQUE INDEX raw_one_n_idx ON raw_one USING btree (n) WHERE n > 0")
            op.execute("ALTER TABLE raw_two ADD CONSTRAINT raw_two_fk_b FOREIGN KEY (b) REFERENCES fk_parent (code) ON DELETE SET NULL")
            op.execute("ALTER TABLE raw_one ALTER COLUMN note TYPE varchar(200), ALTER COLUMN code DROP NOT NULL")
            """;
        yield return """
            op.execute("ALTER TABLE raw_one RENAME COLUMN note TO remark")
            op.execute("ALTER TABLE raw_two DROP CONSTRAINT raw_two_b_key")
            op.execute("DROP INDEX raw_one_note_idx")
            op.execute("ALTER TABLE raw_one RENAME TO raw_first")
            """;
    }
}
