using System.Text.RegularExpressions;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// The check before a conversion commits: the columns have their new types and defaults, the foreign keys and views
/// their old definitions.
/// </summary>
internal static partial class ConversionCatalogCheck
{
    /// <summary>
    /// Reads the converted columns, the foreign keys and the views back from the catalog; any that differs from the
    /// plan throws.
    /// </summary>
    public static async Task VerifyAsync(
        DatabaseSession session,
        IReadOnlyList<PlannedColumn> columns,
        IReadOnlyDictionary<(QualifiedName Table, string Name), string> foreignKeys,
        IReadOnlyDictionary<QualifiedName, string> views,
        CancellationToken cancellationToken
    )
    {
        await using var command = session.CreateCommand(
            """
            SELECT 'column', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) || '|' ||
                COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped AND (n.nspname, c.relname, a.attname) IN (SELECT * FROM
                unnest(@columnSchemas, @columnTables, @columnNames))
            UNION ALL
            SELECT 'fk', n.nspname, c.relname, k.conname, regexp_replace(pg_get_constraintdef(k.oid), ' NOT VALID$', '')
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE k.contype = 'f' AND (n.nspname, c.relname, k.conname) IN (SELECT * FROM unnest(@fkSchemas, @fkTables,
                @fkNames))
            UNION ALL
            SELECT 'view', n.nspname, c.relname, '', pg_get_viewdef(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('v', 'm') AND (n.nspname, c.relname) IN (SELECT * FROM unnest(@viewSchemas, @viewNames))
            UNION ALL
            SELECT 'sequence', '', '', x.s, format_type(sq.seqtypid, NULL)
            FROM unnest(@sequences) x(s) JOIN pg_sequence sq ON sq.seqrelid = to_regclass(x.s)
            """
        );
        command.Parameters.AddWithValue("columnSchemas", columns.Select(c => c.Schema).ToArray());
        command.Parameters.AddWithValue("columnTables", columns.Select(c => c.Table).ToArray());
        command.Parameters.AddWithValue("columnNames", columns.Select(c => c.Column).ToArray());
        command.Parameters.AddWithValue("fkSchemas", foreignKeys.Keys.Select(k => k.Table.Schema!).ToArray());
        command.Parameters.AddWithValue("fkTables", foreignKeys.Keys.Select(k => k.Table.Name).ToArray());
        command.Parameters.AddWithValue("fkNames", foreignKeys.Keys.Select(k => k.Name).ToArray());
        command.Parameters.AddWithValue("viewSchemas", views.Keys.Select(k => k.Schema!).ToArray());
        command.Parameters.AddWithValue("viewNames", views.Keys.Select(k => k.Name).ToArray());
        var sequences = columns.Where(c => c.WidensSequence).ToList();
        command.Parameters.AddWithValue("sequences", sequences.Select(c => c.Sequence!).ToArray());
        var actual = new Dictionary<(string Kind, string Schema, string Table, string Name), string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                actual[(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))] =
                    reader.GetString(4);
            }
        }

        var expected = columns
            .Select(c =>
                (Key: ("column", c.Schema, c.Table, c.Column), Value: $"{c.To}|{c.DefaultAfter ?? string.Empty}")
            )
            .Concat(
                foreignKeys.Select(f =>
                    (
                        Key: ("fk", f.Key.Table.Schema!, f.Key.Table.Name, f.Key.Name),
                        Value: NotValidSuffix().Replace(f.Value, string.Empty)
                    )
                )
            )
            .Concat(views.Select(v => (Key: ("view", v.Key.Schema!, v.Key.Name, string.Empty), v.Value)))
            .Concat(sequences.Select(c => (Key: ("sequence", string.Empty, string.Empty, c.Sequence!), Value: c.To)));
        var wrong = expected
            .Where(e =>
                !actual.TryGetValue(e.Key, out var found)
                || !(
                    e.Key.Item1 switch
                    {
                        "view" => DefinitionText.WithoutCasts(found) == DefinitionText.WithoutCasts(e.Value),
                        "column" => SameColumn(found, e.Value),
                        _ => SameText(found, e.Value),
                    }
                )
            )
            .Select(e =>
                $"{e.Key.Item1} "
                + (e.Key.Item3.Length == 0 ? e.Key.Item4 : new QualifiedName(e.Key.Item2, e.Key.Item3).ToString())
                + (e.Key.Item4.Length == 0 || e.Key.Item3.Length == 0 ? string.Empty : "." + e.Key.Item4)
                + $": expected '{e.Value}', found '{actual.GetValueOrDefault(e.Key) ?? "nothing"}'"
            )
            .ToList();
        if (wrong.Count > 0)
        {
            throw Failure(string.Join("; ", wrong));
        }
    }

    /// <summary>
    /// Same type, and the same default up to casts: PostgreSQL drops a cast to the column's own type when the
    /// expression already has it (a varchar column's gen_random_uuid() becomes a uuid column's gen_random_uuid()).
    /// </summary>
    private static bool SameColumn(string found, string expected)
    {
        var (foundType, foundDefault) = (found.Split('|', 2)[0], found.Split('|', 2)[1]);
        var (expectedType, expectedDefault) = (expected.Split('|', 2)[0], expected.Split('|', 2)[1]);
        return SameText(foundType, expectedType)
            && DefinitionText.WithoutCasts(foundDefault) == DefinitionText.WithoutCasts(expectedDefault);
    }

    private static bool SameText(string left, string right) =>
        string.Equals(
            string.Join(' ', left.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)),
            string.Join(' ', right.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)),
            StringComparison.Ordinal
        );

    /// <summary>The error of a failed check: the transaction it ran in rolls back.</summary>
    public static RecoveryException Failure(string detail) =>
        new(
            "ConversionVerificationFailed",
            FailureKind.InvalidOperation,
            $"The conversion was rolled back because a check before COMMIT failed: {detail}."
        );

    [GeneratedRegex(" NOT VALID$")]
    private static partial Regex NotValidSuffix();
}
