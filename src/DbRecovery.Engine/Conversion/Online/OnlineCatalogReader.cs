using System.Data.Common;
using DbRecovery.Engine.Connections;
using Npgsql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// Reads the <see cref="OnlineFacts"/> of the converted tables from pg_catalog, and the state of an unfinished online
/// conversion.
/// </summary>
internal static class OnlineCatalogReader
{
    private const string InTables = "(n.nspname, c.relname) IN (SELECT * FROM unnest(@schemas, @tables))";

    private static readonly string Tables = $"""
        SELECT n.nspname, c.relname, c.oid, c.relkind::text,
               ARRAY(SELECT p.pubname::text FROM pg_publication_tables p WHERE p.schemaname = n.nspname AND p.tablename
                   = c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {InTables}
        """;

    private static readonly string Columns = $"""
        SELECT n.nspname, c.relname, a.attname, a.attnotnull, col_description(c.oid, a.attnum), a.attacl IS NOT NULL
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attnum > 0 AND NOT a.attisdropped AND {InTables}
        """;

    private static readonly string Indexes = $"""
        SELECT n.nspname, c.relname, ic.relname, i.indisunique, am.amname, i.indnkeyatts::int,
               ARRAY(SELECT COALESCE(a.attname::text, '') FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(n, o) LEFT
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = u.n ORDER BY u.o),
               i.indoption::int2[], pg_get_expr(i.indpred, i.indrelid), i.indexprs IS NOT NULL,
               COALESCE(ic.reloptions, ARRAY[]::text[]), ts.spcname::text, k.conname::text, COALESCE(k.contype,
                   ' ')::text, COALESCE(k.condeferrable, false), COALESCE(k.condeferred, false),
               obj_description(ic.oid, 'pg_class'), obj_description(k.oid, 'pg_constraint'),
                   pg_get_indexdef(i.indexrelid),
               ARRAY(SELECT DISTINCT a.attname::text FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND
                   a.attnum = d.refobjsubid
                     WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid AND d.refclassid =
                         'pg_class'::regclass AND d.refobjsubid > 0)
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid JOIN
            pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_am am ON am.oid = ic.relam LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
        LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u',
            'x')
        WHERE {InTables}
        """;

    private static readonly string Checks = $"""
        SELECT n.nspname, c.relname, k.conname, k.contype::text,
               ARRAY(SELECT a.attname::text FROM unnest(k.conkey) u(n) JOIN pg_attribute a ON a.attrelid = c.oid AND
                   a.attnum = u.n)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype IN ('c', 'x') AND {InTables}
        """;

    // tgtype bits: 1 row, 2 before, 16 update; an UPDATE OF trigger (tgattr) does not fire for the shadows.
    private static readonly string RowTriggers = $"""
        SELECT n.nspname, c.relname, t.tgname, (t.tgtype & 2) <> 0, (t.tgtype & 16) <> 0 AND
            cardinality(t.tgattr::int2[]) = 0
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND (t.tgtype & 1) <> 0 AND t.tgname <> '{OnlineNames.Trigger}' AND {InTables}
        """;

    public static async Task<OnlineFacts> ReadAsync(
        ReadOnlyTransaction transaction,
        IReadOnlyCollection<(string Schema, string Table)> tables,
        CancellationToken cancellationToken
    )
    {
        var session = transaction.Session;
        var tableFacts = new List<OnlineTableFact>();
        var columns = new List<OnlineColumnFact>();
        var indexes = new List<IndexFact>();
        var checks = new List<CheckFact>();
        var triggers = new List<RowTriggerFact>();
        (string Sql, Action<DbDataReader> Read)[] queries =
        [
            (Tables, r =>
                tableFacts.Add(
                    new OnlineTableFact(
                        r.GetString(0),
                        r.GetString(1),
                        r.GetFieldValue<uint>(2),
                        r.GetString(3)[0],
                        r.GetFieldValue<string[]>(4)
                    )
                )
            ),
            (Columns, r =>
                columns.Add(
                    new OnlineColumnFact(
                        r.GetString(0),
                        r.GetString(1),
                        r.GetString(2),
                        r.GetBoolean(3),
                        Text(r, 4),
                        r.GetBoolean(5)
                    )
                )
            ),
            (Indexes, r =>
                indexes.Add(
                    new IndexFact(
                        r.GetString(0),
                        r.GetString(1),
                        r.GetString(2),
                        r.GetBoolean(3),
                        r.GetString(4),
                        r.GetInt32(5),
                        r.GetFieldValue<string[]>(6),
                        r.GetFieldValue<short[]>(7),
                        Text(r, 8),
                        r.GetBoolean(9),
                        r.GetFieldValue<string[]>(10),
                        Text(r, 11),
                        Text(r, 12),
                        r.GetString(13)[0],
                        r.GetBoolean(14),
                        r.GetBoolean(15),
                        Text(r, 16),
                        Text(r, 17),
                        r.GetString(18),
                        r.GetFieldValue<string[]>(19)
                    )
                )
            ),
            (Checks, r =>
                checks.Add(
                    new CheckFact(
                        r.GetString(0),
                        r.GetString(1),
                        r.GetString(2),
                        r.GetString(3)[0],
                        r.GetFieldValue<string[]>(4)
                    )
                )
            ),
            (RowTriggers, r =>
                triggers.Add(
                    new RowTriggerFact(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4))
                )
            ),
        ];
        await using (var batch = new NpgsqlBatch(session.Connection))
        {
            foreach (var (sql, _) in queries)
            {
                var command = new NpgsqlBatchCommand(sql);
                command.Parameters.AddWithValue("schemas", tables.Select(t => t.Schema).ToArray());
                command.Parameters.AddWithValue("tables", tables.Select(t => t.Table).ToArray());
                batch.BatchCommands.Add(command);
            }

            session.Log.Verbose(
                $"Reading the online conversion facts in one batch of {queries.Length} "
                    + "queries:"
                    + Environment.NewLine
                    + string.Join(";" + Environment.NewLine, queries.Select(q => q.Sql))
            );
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (_, read) in queries)
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    read(reader);
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return new OnlineFacts(
            tableFacts,
            columns,
            indexes,
            checks,
            triggers,
            await ReadStateAsync(session, cancellationToken).ConfigureAwait(false)
        );
    }

    /// <summary>The recorded state of an unfinished online conversion, or null when there is none.</summary>
    public static async Task<OnlineState?> ReadStateAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        await using (
            var exists = session.CreateCommand(
                $"SELECT to_regclass('{OnlineNames.StateTable}') IS NOT NULL AND "
                    + $"to_regclass('{OnlineNames.BackfillTable}') IS NOT NULL"
            )
        )
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return null;
            }
        }

        // One row a recorded column, each as its schema, table and column.
        await using var command = session.CreateCommand(
            $"""
            SELECT s.target, s.swapped_at IS NOT NULL, c->>0, c->>1, c->>2
            FROM {OnlineNames.StateTable} s, jsonb_array_elements(s.columns) c
            """
        );
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var (target, swapped, columns) = (string.Empty, false, new List<(string, string, string)>());
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            (target, swapped) = (reader.GetString(0), reader.GetBoolean(1));
            columns.Add((reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }

        return columns.Count == 0 ? null : new OnlineState(target, columns, swapped);
    }

    private static string? Text(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}
