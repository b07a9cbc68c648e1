using System.Text.Json;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// Reads every integer key fed by a sequence (serial or identity) with the sequence's last value, the foreign keys
/// that reference it and its table's insert count, in one read-only query; the most used first.
/// </summary>
public static class KeyCapacityReader
{
    private static readonly string Query = $"""
        WITH keys AS (
            SELECT c.oid AS relid, a.attnum, n.nspname AS schema_name, c.relname AS table_name,
                   a.attname AS column_name,
                   a.atttypid, format_type(a.atttypid, NULL) AS type_name, a.attidentity <> '' AS is_identity,
                   s.oid AS seqid, format('%I.%I', sn.nspname, s.relname) AS sequence_name, q.seqmax
            FROM pg_depend d
            JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            JOIN pg_namespace sn ON sn.oid = s.relnamespace
            JOIN pg_sequence q ON q.seqrelid = s.oid
            JOIN pg_class c ON c.oid = d.refobjid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
              AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) AND {CatalogQueries.UserSchema("n")}
        )
        SELECT k.schema_name, k.table_name, k.column_name, k.type_name, k.is_identity, k.sequence_name,
               least(k.seqmax, CASE k.atttypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647
                                               ELSE 9223372036854775807 END),
               pg_sequence_last_value(k.seqid),
               st.n_tup_ins,
               extract(epoch FROM now() - db.stats_reset)::float8,
               coalesce((SELECT json_agg(json_build_object(
                                             'column', format('%s.%s.%s', rn.nspname, rc.relname, ra.attname),
                                             'type', format_type(ra.atttypid, NULL), 'size', rt.typlen)
                                         ORDER BY rn.nspname, rc.relname, ra.attname)
                         FROM pg_constraint f
                         CROSS JOIN LATERAL unnest(f.conkey, f.confkey) AS u (local, remote)
                         JOIN pg_class rc ON rc.oid = f.conrelid
                         JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                         JOIN pg_attribute ra ON ra.attrelid = f.conrelid AND ra.attnum = u.local
                         JOIN pg_type rt ON rt.oid = ra.atttypid
                         WHERE f.contype = 'f' AND f.confrelid = k.relid AND u.remote = k.attnum), '[]')::text,
               (SELECT typlen FROM pg_type WHERE oid = k.atttypid)
        FROM keys k
        LEFT JOIN pg_stat_user_tables st ON st.relid = k.relid
        LEFT JOIN pg_stat_database db ON db.datname = current_database()
        """;

    /// <summary>Reads the keys of <paramref name="target"/>, most used first.</summary>
    public static async Task<IReadOnlyList<KeyCapacity>> ReadAsync(
        ConnectionTarget target,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var keys = new List<KeyCapacity>();
            await using var command = session.CreateCommand(Query);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(
                    Capacity(
                        new ColumnReference(reader.GetString(0), reader.GetString(1), reader.GetString(2)),
                        reader.GetString(3),
                        reader.GetBoolean(4),
                        reader.GetString(5),
                        reader.GetInt64(6),
                        reader.IsDBNull(7) ? null : reader.GetInt64(7),
                        reader.IsDBNull(8) ? null : reader.GetInt64(8),
                        reader.IsDBNull(9) ? null : reader.GetDouble(9),
                        reader.GetString(10),
                        reader.GetInt16(11)
                    )
                );
            }

            return keys.OrderByDescending(k => k.UsedPercent)
                .ThenBy(k => k.Key.ToString(), StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
        {
            throw session.Failure(ex);
        }
    }

    /// <summary>One key's capacity from its row: the referencing columns as JSON, the insert count over a statistics
    /// window of <paramref name="windowSeconds"/> (null when unknown), <paramref name="size"/> the key type's
    /// width.</summary>
    internal static KeyCapacity Capacity(
        ColumnReference key,
        string type,
        bool identity,
        string sequence,
        long maximum,
        long? last,
        long? inserts,
        double? windowSeconds,
        string referencing,
        short size
    )
    {
        var references = JsonDocument
            .Parse(referencing)
            .RootElement.EnumerateArray()
            .Select(r =>
                (
                    Column: r.GetProperty("column").GetString()!,
                    Type: r.GetProperty("type").GetString()!,
                    Size: r.GetProperty("size").GetInt16()
                )
            )
            .ToList();
        double? perDay = inserts is > 0 && windowSeconds is > 0 ? inserts.Value / windowSeconds.Value * 86_400 : null;
        var used = (last ?? 0) / (double)maximum * 100;
        return new KeyCapacity
        {
            Key = key,
            Type = type,
            IsIdentity = identity,
            Sequence = sequence,
            Maximum = maximum,
            LastValue = last,
            UsedPercent = used,
            Referencing = references.Select(r => $"{r.Column} ({r.Type})").ToList(),
            Narrower = references.Where(r => r.Size < size).Select(r => $"{r.Column} ({r.Type})").ToList(),
            InsertsPerDay = perDay,
            TimeLeft = perDay is > 0
                ? TimeSpan.FromDays(Math.Min((maximum - (last ?? 0)) / perDay.Value, TimeSpan.MaxValue.TotalDays - 1))
                : null,
        };
    }
}
