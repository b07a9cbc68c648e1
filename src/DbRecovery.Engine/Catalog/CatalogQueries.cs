namespace DbRecovery.Engine.Catalog;

/// <summary>
/// The catalog queries behind <see cref="SchemaReader"/>. All of them go to the server in one batch,
/// so a snapshot costs the same number of round trips for 10 tables or 10,000. Each filters
/// namespaces by <c>@schemas</c> (anchored regular expressions) and excludes system schemas.
/// Key columns come back as attribute numbers and are named from the columns already read, which
/// costs the server nothing; only referenced columns of foreign keys are named on the server, as the
/// referenced table may lie outside the captured schemas. Sizes come from the planner's page counts, like row
/// estimates: exact sizes would stat every
/// file of every table and cost more than the rest of the snapshot together.
/// </summary>
internal static class CatalogQueries
{
    public const string Header = """
        SELECT current_database(), current_setting('server_version'), current_setting('server_version_num')::int,
               pg_is_in_recovery(), vn.nspname, vc.relname
        FROM (SELECT to_regclass(@version_table) AS oid) v
        LEFT JOIN pg_class vc ON vc.oid = v.oid
        LEFT JOIN pg_namespace vn ON vn.oid = vc.relnamespace
        """;

    public static readonly string Schemas = $"""
        SELECT n.nspname FROM pg_namespace n WHERE {InSchemas("n")} ORDER BY 1
        """;

    public static readonly string Tables = $"""
        SELECT n.nspname, c.relname, c.relkind::text, pn.nspname, pc.relname,
               pg_get_expr(c.relpartbound, c.oid),
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
               c.reltuples::bigint,
               CASE WHEN c.reltuples < 0 THEN pg_total_relation_size(c.oid) ELSE
               (c.relpages::bigint + COALESCE(toast.relpages, 0)
                 + COALESCE((SELECT sum(ic.relpages) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE
                     i.indrelid = c.oid), 0)
               ) * current_setting('block_size')::bigint END,
               c.relrowsecurity, c.relforcerowsecurity
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
        LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
        LEFT JOIN pg_class pc ON pc.oid = i.inhparent
        LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        WHERE c.relkind IN ('r', 'p') AND {InSchemas("n")}
        ORDER BY 1, 2
        """;

    public static readonly string Columns = $"""
        SELECT n.nspname, c.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
               a.attidentity::text,
               CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND {InSchemas("n")}
        ORDER BY 1, 2, a.attnum
        """;

    public static readonly string Constraints = $"""
        SELECT n.nspname, c.relname, k.conname, k.contype::text, k.conkey,
               pg_get_constraintdef(k.oid), k.condeferrable, k.condeferred, k.convalidated
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype IN ('p', 'u', 'c', 'x') AND c.relkind IN ('r', 'p') AND {InSchemas("n")}
        ORDER BY 1, 2, 3
        """;

    // conparentid <> 0 marks the copies PostgreSQL makes on partitions; the user-defined key is the parent.
    public static readonly string ForeignKeys = $"""
        SELECT n.nspname, c.relname, k.conname, k.conkey,
               rn.nspname, rc.relname, {KeyColumns("k.confkey", "k.confrelid")},
               k.confdeltype::text, k.confupdtype::text, k.confmatchtype::text,
               k.condeferrable, k.condeferred, k.convalidated, pg_get_constraintdef(k.oid)
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_class rc ON rc.oid = k.confrelid
        JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE k.contype = 'f' AND k.conparentid = 0 AND {InSchemas("n")}
        ORDER BY 1, 2, 3
        """;

    public static readonly string Indexes = $"""
        SELECT n.nspname, c.relname, ic.relname, pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary,
               i.indisvalid, am.amname,
               (i.indkey::int2[])[0:i.indnkeyatts - 1],
               pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid)
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_am am ON am.oid = ic.relam
        WHERE c.relkind IN ('r', 'p') AND {InSchemas("n")}
        ORDER BY 1, 2, 3
        """;

    public static readonly string Triggers = $"""
        SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled::text
        FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND c.relkind IN ('r', 'p') AND {InSchemas("n")}
        ORDER BY 1, 2, 3
        """;

    public static readonly string Policies = $"""
        SELECT n.nspname, c.relname, p.polname, p.polcmd::text, p.polpermissive,
               ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE pg_get_userbyid(r.oid)::text END
                     FROM unnest(p.polroles) r(oid) ORDER BY 1),
               pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
        FROM pg_policy p
        JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {InSchemas("n")}
        ORDER BY 1, 2, 3
        """;

    public static readonly string Views = $"""
        SELECT n.nspname, c.relname, c.relkind = 'm', pg_get_userbyid(c.relowner), pg_get_viewdef(c.oid, true)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND {InSchemas("n")}
        ORDER BY 1, 2
        """;

    public static readonly string ViewDependencies = $"""
        SELECT DISTINCT n.nspname, v.relname, tn.nspname, t.relname, a.attname
        FROM pg_depend d
        JOIN pg_rewrite r ON r.oid = d.objid
        JOIN pg_class v ON v.oid = r.ev_class
        JOIN pg_namespace n ON n.oid = v.relnamespace
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_namespace tn ON tn.oid = t.relnamespace
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjsubid > 0 AND d.refobjid <> v.oid AND v.relkind IN ('v', 'm') AND {InSchemas("n")}
        ORDER BY 1, 2, 3, 4, 5
        """;

    public static readonly string Sequences = $"""
        SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), tn.nspname, t.relname, a.attname
        FROM pg_sequence s
        JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
        LEFT JOIN pg_class t ON t.oid = d.refobjid
        LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE {InSchemas("n")}
        ORDER BY 1, 2
        """;

    public static readonly string Enums = $"""
        SELECT n.nspname, t.typname, ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY
            e.enumsortorder)
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype = 'e' AND {InSchemas("n")}
        ORDER BY 1, 2
        """;

    /// <summary>
    /// The schema where DbRecovery keeps the state of an online conversion while it runs; never part of the user's
    /// schema.
    /// </summary>
    internal const string WorkSchema = "_dbrecovery";

    /// <summary>
    /// The condition that the schema of <paramref name="alias"/> (a pg_namespace row) is not PostgreSQL's own nor
    /// DbRecovery's.
    /// </summary>
    internal static string UserSchema(string alias) =>
        $"{alias}.nspname <> 'information_schema' AND {alias}.nspname !~ '^pg_' AND {alias}.nspname <> '{WorkSchema}'";

    private static string InSchemas(string alias) => $"{alias}.nspname ~* ANY(@schemas) AND {UserSchema(alias)}";

    private static string KeyColumns(string keyArray, string relation) =>
        $"""
            ARRAY(SELECT a.attname::text FROM unnest({keyArray}) WITH ORDINALITY u(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = {relation} AND a.attnum = u.attnum ORDER BY u.ord)
            """;
}
