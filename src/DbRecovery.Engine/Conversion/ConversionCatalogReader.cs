using System.Data.Common;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using Npgsql;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// Reads the <see cref="ConversionFacts"/> from pg_catalog in one batch, inside a read-only snapshot.
/// </summary>
internal static class ConversionCatalogReader
{
    /// <summary>The trigger an online conversion keeps its shadow columns in step with: not the application's, so
    /// never part of the facts.</summary>
    public const string OnlineSyncTrigger = "zzzz_dbrecovery_sync";

    private static readonly string UserSchemas = CatalogQueries.UserSchema("n");

    private static readonly string Columns = $"""
        SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END, a.attgenerated <> '',
               COALESCE(a.attnum = ANY(pt.partattrs::int2[]), false), c.reloftype <> 0, c.relispartition,
               CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint END, pg_total_relation_size(c.oid),
               seq.name, seq.type, a.attidentity <> '', a.attidentity = 'a'
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
        LEFT JOIN LATERAL (
            SELECT dp.objid::regclass::text AS name, format_type(sq.seqtypid, NULL) AS type
            FROM pg_depend dp JOIN pg_sequence sq ON sq.seqrelid = dp.objid
            WHERE dp.classid = 'pg_class'::regclass AND dp.refclassid = 'pg_class'::regclass
              AND dp.refobjid = c.oid AND dp.refobjsubid = a.attnum AND dp.deptype IN ('a', 'i')
            LIMIT 1) seq ON a.atttypid IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
        WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND {UserSchemas}
          AND format_type(a.atttypid, NULL) IN ('uuid', 'character varying', 'text', 'character', 'smallint',
              'integer', 'bigint')
        """;

    private static readonly string ForeignKeys = $"""
        SELECT k.conname, n.nspname, c.relname,
               ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON
                   a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o),
               rn.nspname, rc.relname,
               ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON
                   a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o),
               k.convalidated, pg_get_constraintdef(k.oid), obj_description(k.oid, 'pg_constraint'), c.relkind = 'p'
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_class rc ON rc.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE k.contype = 'f' AND k.conparentid = 0 AND {UserSchemas}
        """;

    private static readonly string Keys = $"""
        SELECT n.nspname, c.relname, k.contype = 'p',
               ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON
                   a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype IN ('p', 'u') AND {UserSchemas}
        """;

    // Objects that depend on a table column, named by kind; views, policies and triggers are read in full below.
    private static readonly string Dependents = $"""
        SELECT n.nspname, c.relname, a.attname,
               CASE d.classid
                    WHEN 'pg_rewrite'::regclass THEN CASE WHEN r.rulename = '_RETURN' THEN 'view' ELSE 'rule' END
                    WHEN 'pg_policy'::regclass THEN 'policy'
                    WHEN 'pg_trigger'::regclass THEN 'trigger'
                    WHEN 'pg_attrdef'::regclass THEN CASE WHEN EXISTS (
                        SELECT 1 FROM pg_attrdef ad JOIN pg_attribute ga ON ga.attrelid = ad.adrelid AND ga.attnum =
                            ad.adnum
                        WHERE ad.oid = d.objid AND ga.attgenerated <> '') THEN 'generated column' ELSE 'default' END
                    WHEN 'pg_proc'::regclass THEN 'function'
                    WHEN 'pg_constraint'::regclass THEN 'constraint'
                    WHEN 'pg_class'::regclass THEN CASE WHEN (SELECT o.relkind FROM pg_class o WHERE o.oid = d.objid) IN
                        ('i', 'I') THEN 'index' ELSE 'sequence' END
                    WHEN 'pg_publication_rel'::regclass THEN 'publication'
                    ELSE d.classid::regclass::text END,
               pg_describe_object(d.classid, d.objid, d.objsubid),
               COALESCE(CASE WHEN d.classid = 'pg_class'::regclass THEN
                    (SELECT CASE WHEN i.indexprs IS NOT NULL THEN 'expression'
                                 WHEN EXISTS (SELECT 1 FROM unnest(i.indclass::oid[]) oc JOIN pg_opclass o ON o.oid = oc
                                     WHERE NOT o.opcdefault) THEN 'operator class'
                                 WHEN i.indpred IS NOT NULL THEN 'partial' ELSE 'plain' END
                     FROM pg_index i WHERE i.indexrelid = d.objid)
                    WHEN d.classid = 'pg_proc'::regclass THEN (SELECT CASE WHEN p.prosqlbody IS NOT NULL THEN 'sql body'
                        ELSE 'other' END FROM pg_proc p WHERE p.oid = d.objid)
                    END, '')
        FROM pg_depend d
        JOIN pg_class c ON c.oid = d.refobjid AND d.refclassid = 'pg_class'::regclass
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
        LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
        WHERE d.refobjsubid > 0 AND d.deptype IN ('n', 'a') AND c.relkind IN ('r', 'p') AND {UserSchemas}
          AND NOT (d.classid = 'pg_rewrite'::regclass AND r.ev_class = c.oid)
        UNION ALL
        SELECT n.nspname, c.relname, '', 'extension', pg_describe_object(d.refclassid, d.refobjid, 0), ''
        FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE d.deptype = 'e' AND {UserSchemas}
        """;

    private static readonly string Views = $"""
        SELECT v.oid, n.nspname, v.relname, v.relkind = 'm', pg_get_viewdef(v.oid), pg_get_userbyid(v.relowner),
            v.relacl::text,
               COALESCE(v.reloptions, ARRAY[]::text[]), obj_description(v.oid, 'pg_class'),
               ARRAY(SELECT a.attname || E'\t' || col_description(v.oid, a.attnum) FROM pg_attribute a
                     WHERE a.attrelid = v.oid AND a.attnum > 0 AND col_description(v.oid, a.attnum) IS NOT NULL ORDER BY
                         a.attnum),
               ARRAY(SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = v.oid),
               ARRAY(SELECT DISTINCT d.refobjid FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                     JOIN pg_class t ON t.oid = d.refobjid
                     WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class = v.oid AND t.relkind IN ('v', 'm') AND
                         d.refobjid <> v.oid),
               ARRAY(SELECT DISTINCT tn.nspname || E'\t' || t.relname || E'\t' || a.attname FROM pg_depend d JOIN
                   pg_rewrite r ON r.oid = d.objid
                     JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
                     WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class = v.oid AND t.relkind IN ('r', 'p') AND
                         d.refobjsubid > 0)
        FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
        WHERE v.relkind IN ('v', 'm') AND {UserSchemas}
        """;

    private static readonly string Policies = $"""
        SELECT n.nspname, c.relname, p.polname, p.polcmd::text, p.polpermissive,
               ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.oid)) END FROM
                   unnest(p.polroles) r(oid)),
               pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
               ARRAY(SELECT a.attname::text FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum
                   = d.refobjsubid
                     WHERE d.classid = 'pg_policy'::regclass AND d.objid = p.oid AND d.refobjsubid > 0)
        FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {UserSchemas}
        """;

    // An unfinished online conversion's sync trigger names the columns in its WHEN; it is the conversion's own, not the
    // user's.
    private static readonly string Triggers = $"""
        SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid),
               ARRAY(SELECT a.attname::text FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum
                   = d.refobjsubid
                     WHERE d.classid = 'pg_trigger'::regclass AND d.objid = t.oid AND d.refobjsubid > 0)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgname <> '{OnlineSyncTrigger}' AND {UserSchemas}
        """;

    private static readonly string Functions = $"""
        SELECT n.nspname, p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN
            pg_language l ON l.oid = p.prolang
        WHERE l.lanname = 'plpgsql' AND {UserSchemas}
        """;

    public static async Task<ConversionFacts> ReadAsync(
        ReadOnlyTransaction transaction,
        CancellationToken cancellationToken
    )
    {
        var session = transaction.Session;
        var columns = new List<ColumnFact>();
        var foreignKeys = new List<ForeignKeyFact>();
        var keys = new List<(string, string, bool, IReadOnlyList<string>)>();
        var dependents = new List<DependentFact>();
        var views = new List<ViewFact>();
        var policies = new List<PolicyFact>();
        var triggers = new List<TriggerFact>();
        var functions = new List<(string, string, string)>();
        (string Sql, Action<DbDataReader> Read)[] queries =
        [
            (Columns, r =>
                columns.Add(
                    new ColumnFact(
                        r.GetString(0),
                        r.GetString(1),
                        r.GetString(2),
                        r.GetString(3),
                        r.GetBoolean(4),
                        Text(r, 5),
                        r.GetBoolean(6),
                        r.GetBoolean(7),
                        r.GetBoolean(8),
                        r.GetBoolean(9),
                        r.IsDBNull(10) ? null : r.GetInt64(10),
                        r.GetInt64(11),
                        Text(r, 12),
                        Text(r, 13),
                        r.GetBoolean(14),
                        r.GetBoolean(15)
                    )
                )
            ),
            (ForeignKeys, r =>
                foreignKeys.Add(
                    new ForeignKeyFact(
                        r.GetString(0),
                        r.GetString(1),
                        r.GetString(2),
                        r.GetFieldValue<string[]>(3),
                        r.GetString(4),
                        r.GetString(5),
                        r.GetFieldValue<string[]>(6),
                        r.GetBoolean(7),
                        r.GetString(8),
                        Text(r, 9),
                        r.GetBoolean(10)
                    )
                )
            ),
            (Keys, r => keys.Add((r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetFieldValue<string[]>(3)))),
            (Dependents, r =>
                dependents.Add(
                    new DependentFact(
                        r.GetString(0),
                        r.GetString(1),
                        r.GetString(2),
                        r.GetString(3),
                        r.GetString(4),
                        r.GetString(5)
                    )
                )
            ),
            (Views, r =>
                views.Add(
                    new ViewFact(
                        r.GetFieldValue<uint>(0),
                        r.GetString(1),
                        r.GetString(2),
                        r.GetBoolean(3),
                        r.GetString(4),
                        r.GetString(5),
                        Text(r, 6),
                        r.GetFieldValue<string[]>(7),
                        Text(r, 8),
                        r.GetFieldValue<string[]>(9).Select(s => s.Split('\t', 2)).Select(p => (p[0], p[1])).ToList(),
                        r.GetFieldValue<string[]>(10),
                        r.GetFieldValue<uint[]>(11),
                        r.GetFieldValue<string[]>(12)
                            .Select(s => s.Split('\t'))
                            .Select(p => (p[0], p[1], p[2]))
                            .ToList()
                    )
                )
            ),
            (Policies, r =>
                policies.Add(
                    new PolicyFact(
                        r.GetString(0),
                        r.GetString(1),
                        r.GetString(2),
                        r.GetString(3),
                        r.GetBoolean(4),
                        r.GetFieldValue<string[]>(5),
                        Text(r, 6),
                        Text(r, 7),
                        r.GetFieldValue<string[]>(8)
                    )
                )
            ),
            (Triggers, r =>
                triggers.Add(
                    new TriggerFact(
                        r.GetString(0),
                        r.GetString(1),
                        r.GetString(2),
                        r.GetString(3),
                        r.GetFieldValue<string[]>(4)
                    )
                )
            ),
            (Functions, r => functions.Add((r.GetString(0), r.GetString(1), r.GetString(2)))),
        ];
        await using var batch = new NpgsqlBatch(session.Connection);
        foreach (var (sql, _) in queries)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        }

        session.Log.Verbose(
            $"Reading the conversion facts in one batch of {queries.Length} "
                + $"queries:{Environment.NewLine}{string.Join(";" + Environment.NewLine, queries.Select(q => q.Sql))}"
        );
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var (_, read) in queries)
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    read(reader);
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return new ConversionFacts(columns, foreignKeys, keys, dependents, views, policies, triggers, functions);
    }

    private static string? Text(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}
